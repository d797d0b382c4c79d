"""Royalties (nhuận bút) and fees (thù lao): rates as dated data, gradings, payees, sheets (ROYALTIES.md)."""
