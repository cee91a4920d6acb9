"""Recurrent networks for the Sequences page: a forecaster and a memory-task classifier.

The recurrence: h_t = f(h_{t−1}, x_t). SimpleRNN uses h_t = tanh(W x_t + U h_{t−1} + b); LSTM and
GRU add gates that decide what to keep, so gradients survive over more steps.
"""

import keras
from keras import layers

CELLS = {"lstm": layers.LSTM, "gru": layers.GRU, "simple_rnn": layers.SimpleRNN}


def build_forecaster(cell: str = "lstm", window: int = 30, horizon: int = 1, num_layers: int = 1,
                     units: int = 32, dropout: float = 0.0) -> keras.Model:
    """Many-to-one: a window of `window` scaled values → the next `horizon` values.

    Stacked layers pass their whole sequence on (many-to-many, return_sequences=True); the last
    one hands only its final state h_T to a Dense layer that reads out the forecast.
    """
    if cell not in CELLS:
        raise ValueError(f"cell {cell!r} is not one of {', '.join(CELLS)}")
    inputs = keras.Input(shape=(window, 1), name="window")
    x = inputs
    for index in range(num_layers):
        last = index == num_layers - 1
        x = CELLS[cell](units=units, return_sequences=not last, name=f"{cell}_{index + 1}")(x)
        if dropout > 0:
            x = layers.Dropout(rate=dropout, name=f"dropout_{index + 1}")(x)
    outputs = layers.Dense(units=horizon, name="forecast")(x)
    return keras.Model(inputs, outputs, name=f"{cell}_forecaster")


def build_memory_classifier(cell: str = "lstm", sequence_length: int = 35,
                            units: int = 16) -> keras.Model:
    """Read (value, mark) pairs; at the end output the marked value. Many-to-one."""
    inputs = keras.Input(shape=(sequence_length, 2), name="values_and_mark")
    h_last = CELLS[cell](units=units, name=cell)(inputs)
    outputs = layers.Dense(units=1, name="recall")(h_last)
    return keras.Model(inputs, outputs, name=f"{cell}_memory")
