from shopcare.domain.paging import Page, page_count, page_within


def test_pages_of_a_list_and_a_wanted_page_kept_within_them() -> None:
    assert [page_count(n, 25) for n in (0, 1, 25, 26, 100_000)] == [1, 1, 1, 2, 4000]
    assert [page_within(w, 60, 25) for w in (-3, 0, 1, 3, 99)] == [1, 1, 1, 3, 3]
    assert Page(rows=["a"], total=51, page=3, per_page=25).pages == 3
