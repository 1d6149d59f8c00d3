"""The shop's duties to its shoppers' data: find everything the store holds about one
email address (``records``), hand it over as JSON (``export``), erase it while keeping the
shop's figures (``erase``, with the erased links in ``links``), and delete what the owner
chose not to keep beyond a number of days (``retention``)."""
