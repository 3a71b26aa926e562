"""Plain, unmemoised reimplementations of today's behaviour, kept as oracles for fast paths."""
