"""The REST API's reads: paging, read models and the queries behind them."""
