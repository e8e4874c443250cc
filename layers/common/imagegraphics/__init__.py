"""imagegraphics: a self-hosted Image Graphics API (background removal, background add, graphics, border)."""

__version__ = "0.1.0"
