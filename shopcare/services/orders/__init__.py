"""The orders ShopCare keeps, as the owner reads and changes them: read models, facts for the order
page, edits, and the catalogue of variants learned from orders.
"""
