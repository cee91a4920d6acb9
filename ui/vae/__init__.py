"""The sections of the VAE page that are too long for its script."""
