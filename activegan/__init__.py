"""A literate, notebook-first reproduction of ActiveGAN (Kong et al., AAAI 2019): uncertainty rewards steer an AC-GAN toward informative labeled samples."""

__version__ = "0.1.0"
