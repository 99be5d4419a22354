from csfpilot.core.catalog import Relationship


def test_set_relationships_read_backwards():
    assert Relationship.SUBSET_OF.inverse() is Relationship.SUPERSET_OF
    assert Relationship.SUPERSET_OF.inverse() is Relationship.SUBSET_OF
    assert Relationship.EQUIVALENT.inverse() is Relationship.EQUIVALENT
    assert Relationship.RELATED_TO.inverse() is Relationship.RELATED_TO


def test_migration_read_from_the_destination():
    assert Relationship.INCORPORATED_INTO.inverse() is Relationship.INCORPORATES
    assert Relationship.MOVED_TO.inverse() is Relationship.RECEIVED_FROM
    for r in Relationship:
        assert r.inverse().inverse() is r
        assert r.inverse().is_migration == r.is_migration
