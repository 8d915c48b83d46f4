"""Find stock: which depots near a place hold an item, how much is available, how far and how long by road."""
