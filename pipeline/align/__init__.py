"""Paragraph alignment: comparable (thematic, many-to-many) and parallel (monotonic, with merges)."""
