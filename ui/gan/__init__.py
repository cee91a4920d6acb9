"""The sections of the GAN page that are too long for its script."""
