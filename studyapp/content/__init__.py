"""Markdown notes -> topics, sections and cards: pure Python, no Django imports."""
