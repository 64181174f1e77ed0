"""Every table shares one botocore client: PynamoDB's own client per table cost a session each."""

from __future__ import annotations

import threading

from chalicelib.store.tables import ALL_TABLES, ReportRecord, transaction
from infra.local.resources import Resources


def test_every_table_and_every_transaction_use_one_connection_and_one_client(aws: Resources) -> None:
    # A botocore session and client per table loaded the service's definitions again for each
    # table a request touched: about 0.1 s a table on a cold start.
    connections = {id(model._get_connection().connection) for model in ALL_TABLES}
    assert len(connections) == 1
    shared = ReportRecord._get_connection().connection
    assert transaction()._connection is shared
    clients = []
    threads = [threading.Thread(target=lambda: clients.append(shared.client)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {id(client) for client in clients} == {id(shared.client)}


def test_each_table_still_knows_its_own_keys_through_the_shared_connection(aws: Resources) -> None:
    # The shared connection learns each table's key schema from that table's model, so reads and
    # writes name the right keys whichever table used the connection first.
    for model in ALL_TABLES:
        meta = model._get_connection().get_meta_table()
        assert meta.table_name == model.Meta.table_name
        hash_key = next(attribute for attribute in model.get_attributes().values() if attribute.is_hash_key)
        assert meta.hash_keyname == hash_key.attr_name
