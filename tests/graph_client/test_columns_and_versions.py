"""The library with its site, the list behind it, text columns made once (a race with another worker tolerated, a
column that cannot hold the values refused), list item fields on files, and file versions."""
from __future__ import annotations

import io

import pytest

from localrun.graph_sandbox import RunningGraph
from shared.graph.addresses import list_path
from shared.graph.client import GraphClient
from shared.graph.errors import GraphConflict, GraphRequestError
from shared.graph.models import ColumnDefinition, Library

COLUMNS = {"ClioDocumentId": 20, "ClioDocumentUrl": 255}


def column_posts(graph: RunningGraph) -> list[int]:
    """The status of every column creation."""
    return [r.status for r in graph.state.requests if r.method == "POST" and r.path.endswith("/columns")]


def add_column(client: GraphClient, library: Library, name: str, **facet: object) -> ColumnDefinition:
    path = f"{list_path(library.site.id, client.document_list(library.id).id)}/columns"
    return ColumnDefinition.model_validate(client.request("POST", path, json_body={"name": name, **facet}).json())


def test_the_library_keeps_its_site(client: GraphClient, graph: RunningGraph) -> None:
    library = client.library()
    drive = graph.state.drive()
    assert isinstance(library, Library) and library.id == drive.id and library.name == "Documents"
    assert library.site.id == drive.site_id and library.site.display_name == "Clio Migration"


def test_the_document_list_and_text_columns_made_once(client: GraphClient, graph: RunningGraph) -> None:
    library = client.library()
    listed = client.document_list(library.id)
    assert listed.id == graph.state.drive().list_id and listed.display_name == "Documents"
    assert listed.parent is not None and listed.parent.site_id == library.site.id
    made = client.ensure_text_columns(library.site.id, listed.id, COLUMNS)
    assert {name: column.text.max_length if column.text else None for name, column in made.items()} == COLUMNS
    again = client.ensure_text_columns(library.site.id, listed.id, COLUMNS)
    assert {name: column.id for name, column in again.items()} == {name: column.id for name, column in made.items()}
    assert column_posts(graph) == [201, 201]
    names = {column.name for column in client.columns(library.site.id, listed.id)}
    assert {"ClioDocumentId", "ClioDocumentUrl", "Title"} <= names


def test_a_column_made_by_another_worker_meanwhile_is_taken(client: GraphClient, graph: RunningGraph,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    library = client.library()
    listed = client.document_list(library.id)
    looked = client.columns
    made_by_other: list[ColumnDefinition] = []

    def stale(site_id: str, list_id: str) -> list[ColumnDefinition]:
        seen = looked(site_id, list_id)
        if not made_by_other:  # the other worker creates the column just after this worker looked
            made_by_other.append(add_column(client, library, "ClioDocumentId", text={"maxLength": 20}))
        return seen

    monkeypatch.setattr(client, "columns", stale)
    made = client.ensure_text_columns(library.site.id, listed.id, {"ClioDocumentId": 20})
    assert made["ClioDocumentId"].id == made_by_other[0].id and column_posts(graph) == [201, 409]


def test_a_same_named_column_that_cannot_hold_the_values_is_a_conflict(client: GraphClient) -> None:
    library = client.library()
    list_id = client.document_list(library.id).id
    add_column(client, library, "ClioDocumentId", number={})
    add_column(client, library, "ClioShort", text={"maxLength": 10})
    add_column(client, library, "cliourl", text={})
    with pytest.raises(GraphConflict, match="'ClioDocumentId' is not a text column"):
        client.ensure_text_columns(library.site.id, list_id, {"ClioDocumentId": 20})
    with pytest.raises(GraphConflict, match="at most 10 characters, not 20"):
        client.ensure_text_columns(library.site.id, list_id, {"ClioShort": 20})
    with pytest.raises(GraphConflict, match="is named 'cliourl'"):
        client.ensure_text_columns(library.site.id, list_id, {"ClioUrl": 255})
    assert client.ensure_text_columns(library.site.id, list_id, {"ClioShort": 10})["ClioShort"].text is not None


def test_fields_are_kept_through_new_versions(client: GraphClient) -> None:
    library = client.library()
    client.ensure_text_columns(library.site.id, client.document_list(library.id).id, COLUMNS)
    folder = client.ensure_folder(library.id, "Matter 7")
    first = client.upload(library.id, folder.id, "Letter.pdf", io.BytesIO(b"v1"), 2)
    url = "https://app.clio.com/nc/#/documents/123/details"
    answer = client.set_fields(library.id, first.item.id, {"ClioDocumentId": "123", "ClioDocumentUrl": url})
    assert (answer["ClioDocumentId"], answer["ClioDocumentUrl"], answer["FileLeafRef"]) == ("123", url, "Letter.pdf")
    second = client.upload(library.id, folder.id, "Letter.pdf", io.BytesIO(b"version two"), 11)
    assert second.item.id == first.item.id
    fields = client.fields(library.id, first.item.id)
    assert (fields["ClioDocumentId"], fields["ClioDocumentUrl"]) == ("123", url)
    versions = client.versions(library.id, first.item.id)
    assert [(version.id, version.size) for version in versions] == [("3.0", 11), ("2.0", 2), ("1.0", 2)]
    assert versions[0].last_modified is not None and versions[-1].last_modified is not None
    assert versions[0].last_modified >= versions[-1].last_modified
    assert "ClioDocumentUrl" not in client.set_fields(library.id, first.item.id, {"ClioDocumentUrl": None})


def test_refused_fields_fail_typed_and_are_not_retried(client: GraphClient, graph: RunningGraph) -> None:
    library = client.library()
    client.ensure_text_columns(library.site.id, client.document_list(library.id).id, COLUMNS)
    item = client.upload(library.id, client.root(library.id).id, "a.pdf", io.BytesIO(b"a"), 1).item
    with pytest.raises(GraphRequestError, match="Field 'ClioDocumentID' is not recognized") as unknown:
        client.set_fields(library.id, item.id, {"ClioDocumentID": "1"})
    assert (unknown.value.status, unknown.value.code) == (400, "invalidRequest")
    with pytest.raises(GraphRequestError, match="'ClioDocumentId'.*at most 20"):
        client.set_fields(library.id, item.id, {"ClioDocumentId": "9" * 21})
    patches = [r.status for r in graph.state.requests if r.method == "PATCH"]
    assert patches == [400, 400] and "ClioDocumentId" not in client.fields(library.id, item.id)
