"""The shopping cart (장바구니) of guests and signed-in shoppers."""
