"""moto's UpdateItem and condition parsing at the cost of the work, for the expressions the app sends.

moto validates an update expression by deep-copying its syntax tree and walking the copy with ten
processors before a second walk applies it; with the condition parsed twice and the item deep-copied
twice, an update cost about 4 ms, and each report is updated several times on its way (the key's
usage counter, the report, its case). Most of the app's expressions are flat, made of
``SET a = :v``, ``SET a = a + :v``, ``SET a = if_not_exists(a, :v) + :v``, ``ADD a :n``, ``ADD s :set``
and ``REMOVE a`` on top-level attributes. ``update_item`` plans such an expression once per text and
applies it to the stored item directly. Whenever anything would need moto's judgement — a nested
path, another function, a key or indexed attribute given another type, a missing operand, an
attribute named twice, a key not exactly the table's, a size near the limit — the request goes to
moto's own ``update_item`` untouched, so every error is moto's. An update that creates its item
(the statistics' counters and markers, a case's first report) is applied the same way, from the
key; its stream record is one INSERT with the whole item, as DynamoDB streams it, where moto
streams the bare key and then the update.

Condition expressions are parsed once per expression and the names and values it uses: the parsed
tree only reads the items it is evaluated on.
"""

from __future__ import annotations

import copy
import functools
import json
from typing import Any

from moto.dynamodb import comparisons as moto_comparisons
from moto.dynamodb import models as moto_models
from moto.dynamodb import responses as moto_dynamodb_responses
from moto.dynamodb.exceptions import ConditionalCheckFailed
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import Table
from moto.dynamodb.models.utilities import bytesize
from moto.dynamodb.parsing import ast_nodes
from moto.dynamodb.parsing.expressions import UpdateExpressionParser  # type: ignore[attr-defined]
from moto.dynamodb.parsing.reserved_keywords import ReservedKeywords

# An operand: ("value", ":v") | ("path", name) | ("if_not_exists", name, operand) | ("+" or "-", operand, operand).
# An action: ("SET", name, operand) | ("ADD", name, ":v") | ("REMOVE", name). A name is "#n" or the attribute itself.
Operand = tuple[Any, ...]
Action = tuple[Any, ...]

SIZE_LIMIT = 405_000  # moto's item size limit (DynamoDB's 400 KB, as it measures it)
KEY_SIZE_LIMIT = 1_024  # a range key's limit (a partition key's is 2,048): longer keys go to moto
SETS = frozenset({"SS", "NS", "BS"})

ast: Any = ast_nodes  # moto's syntax tree classes, untyped
_MOTO_UPDATE_ITEM = DynamoDBBackend.update_item
_MOTO_CONDITION_PARSER = moto_comparisons.create_condition_expression_parser


class _Unplanned(Exception):
    """The expression is outside the flat grammar: moto handles it."""


@functools.lru_cache(maxsize=1024)
def plan(expression: str) -> tuple[Action, ...] | None:
    """The actions of a flat update expression, or None; raises moto's error for a malformed one."""
    tree = UpdateExpressionParser.make(expression)
    try:
        return tuple(_actions(tree))
    except _Unplanned:
        return None


def _actions(tree: Any) -> list[Action]:
    actions: list[Action] = []
    clauses: set[type] = set()
    for node in _walk(tree):
        if isinstance(node, ast.UpdateExpression) and type(node) in (
            ast.UpdateExpressionSetClause,
            ast.UpdateExpressionAddClause,
            ast.UpdateExpressionRemoveClause,
            ast.UpdateExpressionDeleteClause,
        ):
            if type(node) in clauses:  # moto refuses two clauses of a kind
                raise _Unplanned
            clauses.add(type(node))
        if isinstance(node, ast.UpdateExpressionSetAction):
            target, value = node.children
            actions.append(("SET", _name(target), _operand(value)))
        elif isinstance(node, ast.UpdateExpressionAddAction):
            target, value = node.children
            if not isinstance(value, ast.ExpressionAttributeValue):
                raise _Unplanned
            actions.append(("ADD", _name(target), value.children[0]))
        elif isinstance(node, ast.UpdateExpressionRemoveAction):
            actions.append(("REMOVE", _name(node.children[0])))
        elif isinstance(node, ast.UpdateExpressionDeleteAction):
            raise _Unplanned
    return actions


def _walk(node: Any) -> list[Any]:
    """Every node in document order, actions included, without descending into an action."""
    found = [node]
    if isinstance(node, ast.UpdateExpressionAction | ast.UpdateExpressionSetAction):
        return found
    for child in node.children or []:
        if isinstance(child, ast.Node):
            found.extend(_walk(child))
    return found


def _name(path: Any) -> str:
    """A top-level attribute's name or placeholder; a nested or indexed path is moto's."""
    if not isinstance(path, ast.UpdateExpressionPath) or len(path.children) != 1:
        raise _Unplanned
    (part,) = path.children
    if isinstance(part, ast.ExpressionAttributeName):
        return str(part.children[0])
    if isinstance(part, ast.ExpressionAttribute):
        name = str(part.children[0])
        if name.upper() in _reserved_words():  # moto refuses it: leave the error to moto
            raise _Unplanned
        return name
    raise _Unplanned


@functools.cache
def _reserved_words() -> frozenset[str]:
    return frozenset(ReservedKeywords.get_reserved_keywords())


def _operand(node: Any) -> Operand:
    if isinstance(node, ast.UpdateExpressionValue | ast.UpdateExpressionGroupedValue):
        parts = node.children
        if len(parts) == 1:
            return _operand(parts[0])
        if len(parts) == 3 and isinstance(parts[1], ast.ExpressionValueOperator) and parts[1].children[0] in "+-":
            return (str(parts[1].children[0]), _operand(parts[0]), _operand(parts[2]))
        raise _Unplanned
    if isinstance(node, ast.ExpressionAttributeValue):
        return ("value", str(node.children[0]))
    if isinstance(node, ast.UpdateExpressionPath):
        return ("path", _name(node))
    if isinstance(node, ast.UpdateExpressionFunction) and node.children[0] == "if_not_exists":
        _, path, fallback = node.children
        return ("if_not_exists", _name(path), _operand(fallback))
    raise _Unplanned


def changes(
    actions: tuple[Action, ...], table: Table, item: Item, names: dict[str, str], values: dict[str, Any]
) -> dict[str, DynamoType | None] | None:
    """Each attribute's new value (None: removed), or None when moto must judge the request."""
    made: dict[str, DynamoType | None] = {}
    types = {definition["AttributeName"]: definition["AttributeType"] for definition in table.attr}
    for action in actions:
        name = _resolved(action[1], names)
        if name is None or name in made or name in table.table_key_attrs:
            return None
        if action[0] == "SET":
            value = _value(action[2], item, names, values)
            if value is None or types.get(name, value.type) != value.type:
                return None
            if name in table.attribute_keys and value.type in ("S", "B") and not value.value:
                return None
            made[name] = value
        elif action[0] == "ADD":
            added = _value(("value", action[2]), item, names, values)
            value = None if added is None else _added(item.attrs.get(name), added)
            if value is None or types.get(name, value.type) != value.type:
                return None
            made[name] = value
        else:
            made[name] = None
    size = sum(
        bytesize(name) + value.size()
        for name, value in {**item.attrs, **made}.items()
        if value is not None and isinstance(value, DynamoType)
    )
    return None if size > SIZE_LIMIT else made


def _resolved(name: str, names: dict[str, str]) -> str | None:
    return names.get(name) if name.startswith("#") else name


def _value(operand: Operand, item: Item, names: dict[str, str], values: dict[str, Any]) -> DynamoType | None:
    kind = operand[0]
    if kind == "value":
        given = values.get(operand[1])
        return None if given is None else DynamoType(given)
    if kind == "path":
        name = _resolved(operand[1], names)
        return None if name is None else _own(item.attrs.get(name))
    if kind == "if_not_exists":
        name = _resolved(operand[1], names)
        if name is None:
            return None
        present = item.attrs.get(name)
        return _own(present) if present is not None else _value(operand[2], item, names, values)
    left, right = _value(operand[1], item, names, values), _value(operand[2], item, names, values)
    if left is None or right is None or left.type != "N" or right.type != "N":
        return None
    return left + right if kind == "+" else left - right


def _own(value: DynamoType | None) -> DynamoType | None:
    """A value read from the item, copied when moto could later change it in place (maps, lists, sets)."""
    return value if value is None or value.type in ("S", "N", "B", "BOOL", "NULL") else copy.deepcopy(value)


def _added(present: DynamoType | None, added: DynamoType) -> DynamoType | None:
    """ADD's result: a sum or a union, or None for what moto refuses (another type, an empty set)."""
    if added.type == "N":
        if present is None:
            return DynamoType({"N": "0"}) + added  # moto adds to zero, which also writes the number plainly
        return present + added if present.type == "N" else None
    if added.type in SETS and added.value:
        if present is None:
            return DynamoType({added.type: list(added.value)})
        if present.type != added.type:
            return None
        return DynamoType({added.type: present.value + [v for v in added.value if v not in present.value]})
    return None


def update_item(  # noqa: PLR0917 - moto's signature, called positionally by moto
    self: DynamoDBBackend,
    table_name: str,
    key: dict[str, dict[str, Any]],
    update_expression: str,
    expression_attribute_names: dict[str, Any],
    expression_attribute_values: dict[str, Any],
    attribute_updates: dict[str, Any] | None = None,
    expected: dict[str, Any] | None = None,
    condition_expression: str | None = None,
    return_values_on_condition_check_failure: str | None = None,
) -> Item:
    """DynamoDBBackend.update_item: planned expressions applied directly, anything else by moto."""
    arguments = (
        table_name,
        key,
        update_expression,
        expression_attribute_names,
        expression_attribute_values,
        attribute_updates,
        expected,
        condition_expression,
        return_values_on_condition_check_failure,
    )
    actions = plan(update_expression) if update_expression and not attribute_updates and not expected else None
    table = self.get_table(table_name) if actions is not None else None
    found = _key_values(table, key) if table is not None else None
    if table is None or found is None or actions is None:
        return _MOTO_UPDATE_ITEM(self, *arguments)
    stored = table.get_item(*found)
    # A new item starts as its key, as moto's does.
    item = stored if stored is not None else Item(found[0], found[1], dict(key))
    made = changes(actions, table, item, expression_attribute_names or {}, expression_attribute_values or {})
    if made is None:
        return _MOTO_UPDATE_ITEM(self, *arguments)
    condition = moto_comparisons.create_condition_expression_parser(
        condition_expression, expression_attribute_names, expression_attribute_values
    ).parse()
    if not condition.expr(stored):
        if return_values_on_condition_check_failure == "ALL_OLD" and stored is not None:
            raise ConditionalCheckFailed(item=stored.to_json()["Attributes"])
        raise ConditionalCheckFailed
    before = None
    if stored is not None:
        # The values replaced are new objects, never changed in place: a shallow copy is the old image.
        before = copy.copy(stored)
        before.attrs = type(stored.attrs)(stored.attrs)
    for name, value in made.items():
        if value is None:
            item.attrs.pop(name, None)
        else:
            dict.__setitem__(item.attrs, name, value)  # size checked above, once
    if stored is None:
        if found[1] is not None:
            table.items[found[0]][found[1]] = item
        else:
            table.items[found[0]] = item  # type: ignore[assignment]
    if table.stream_shard is not None:
        # A new item is one INSERT record with its whole image, as DynamoDB streams it (moto
        # streams the bare key first, then the update).
        table.stream_shard.add(before, item)
    return item


def _key_values(table: Table, key: dict[str, dict[str, Any]]) -> tuple[DynamoType, DynamoType | None] | None:
    """The key's values when ``key`` is exactly the table's key, of its types and sizes; else None (moto judges)."""
    names = [table.hash_key_attr] + ([table.range_key_attr] if table.range_key_attr else [])
    if set(key) != set(names):
        return None
    values = [DynamoType(key[name]) for name in names]
    wanted = [table.hash_key_type, table.range_key_type]
    for value, kind in zip(values, wanted, strict=False):
        if value.type != kind or not value.value or value.size() > KEY_SIZE_LIMIT:
            return None
    return values[0], (values[1] if len(values) > 1 else None)


class _ParsedCondition:
    """moto's ConditionExpressionParser, the parse remembered."""

    def __init__(self, expression: str | None, names: dict[str, str] | None, values: dict[str, Any] | None) -> None:
        self._arguments = (expression, names, values)
        self.expr_attr_names_found: list[str] = []
        self.expr_attr_values_found: list[str] = []

    def parse(self) -> Any:
        expression, names, values = self._arguments
        if not expression:
            return _MOTO_CONDITION_PARSER(expression, names, values).parse()
        try:
            key = (expression, _named_in(expression, names), _named_in(expression, values))
        except TypeError:  # values moto built itself, not a request's JSON
            parser = _MOTO_CONDITION_PARSER(expression, names, values)
            tree = parser.parse()
            self.expr_attr_names_found, self.expr_attr_values_found = (
                parser.expr_attr_names_found,
                parser.expr_attr_values_found,
            )
            return tree
        tree, names_found, values_found = _parsed_condition(key)
        self.expr_attr_names_found = list(names_found)
        self.expr_attr_values_found = list(values_found)
        return tree


def _named_in(expression: str, placeholders: dict[str, Any] | None) -> str:
    """The placeholders that may appear in ``expression`` (every one it names, perhaps a few more), as JSON.

    The parser only looks up the placeholders its expression names. A write's placeholders also
    carry its update's values (new on every write); keyed on all of them, a condition was parsed
    again for every write.
    """
    return json.dumps({key: value for key, value in (placeholders or {}).items() if key in expression}, sort_keys=True)


@functools.lru_cache(maxsize=4096)
def _parsed_condition(key: tuple[str, str, str]) -> tuple[Any, tuple[str, ...], tuple[str, ...]]:
    expression, names, values = key
    parser = _MOTO_CONDITION_PARSER(expression, json.loads(names), json.loads(values))
    tree = parser.parse()
    return tree, tuple(parser.expr_attr_names_found), tuple(parser.expr_attr_values_found)


def quicken_updates() -> None:
    """Use the update_item and the condition parsing above in this process (idempotent)."""
    DynamoDBBackend.update_item = update_item  # type: ignore[method-assign]
    for module in (moto_comparisons, moto_models, moto_dynamodb_responses):
        module.create_condition_expression_parser = _ParsedCondition  # type: ignore[attr-defined]
