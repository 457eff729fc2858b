"""A literate, notebook-first reproduction of ActiveGAN (Kong et al., AAAI 2019): uncertainty rewards steer an AC-GAN toward informative labeled samples.

Modules:

- `activegan.core`: One place for what every other module needs: the experiment settings from `settings.ini`, the device, seeding, where data and caches live, and atomic writes of checkpoints and result files with their manifest."""

__version__ = "0.1.0"
