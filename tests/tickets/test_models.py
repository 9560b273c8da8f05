from cschat.tickets.models import ROW_COLUMNS, Ticket


def test_row_columns_are_every_column_a_writer_supplies() -> None:
    supplied = [
        c.name
        for c in Ticket.__table__.columns
        if c.name not in ("id", "ingested_at", "updated_at")
    ]
    assert sorted(ROW_COLUMNS) == sorted(supplied)
    assert len(set(ROW_COLUMNS)) == len(ROW_COLUMNS)
