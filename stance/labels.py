"""The three labels every sentence gets, in the order models output them."""

LABELS: tuple[str, ...] = ("blame", "cooperation", "hedging")
