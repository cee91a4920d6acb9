"""The sections of the Foundations pages (perceptron, MLP playground, activations, losses)."""
