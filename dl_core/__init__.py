"""DL Lab's engine: datasets, models, training jobs and the model cache.

Never imports Streamlit, and imports TensorFlow/Keras only where a model is built or loaded, so
the command line, the tests and the pages that train nothing stay fast.
"""

__version__ = "0.1.0"
