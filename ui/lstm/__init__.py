"""The sections of the Sequences (stock LSTM) page that are too long for its script."""
