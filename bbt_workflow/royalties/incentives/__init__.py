"""Incentive royalties (nhuận bút khuyến khích): awards on items, within the regulation's limit."""
