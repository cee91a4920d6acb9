"""Model factories: `build_<name>(...) -> keras.Model`, one module per model family."""
