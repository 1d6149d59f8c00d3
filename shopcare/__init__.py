"""ShopCare: the self-hosted post-purchase app of one small online shop."""

__version__ = "0.1.0"
