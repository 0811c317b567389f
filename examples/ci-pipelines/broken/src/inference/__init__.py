"""Model inference: torch loads the model, Pillow decodes the images."""

import torch
from PIL import Image

__all__ = ["Image", "torch"]
