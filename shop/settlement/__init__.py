"""Settlement (정산): the vendor ledger, commissions, weekly statements and payouts."""
