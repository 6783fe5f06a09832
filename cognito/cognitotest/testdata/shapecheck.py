"""Checks a raw cognito-idp or cognito-identity answer against its output
shape in botocore's own model (client.meta.service_model).

Shared by the boto3 interop tests of cognito/cognitotest (allops/allops.py,
configops_boto3.py and the inline scripts of ops2_interop_test.go and
userimport_test.go). check_shape reports: a null anywhere (AWS omits absent
members), a key that is not a member of its structure, a required member
missing, a value not of its modeled type (a timestamp must be epoch
seconds, a blob base64), a string outside its enum, at every depth of
lists, maps (keys and values) and nested structures. Documents (WebAuthn
options) may hold any JSON. Lengths and patterns are not checked: they
constrain input, and Cognito's own answers break them.
"""

import base64
import json


def type_problem(shape, v, path):
    t = shape.type_name
    ok = {
        "string": lambda: isinstance(v, str),
        "integer": lambda: isinstance(v, int) and not isinstance(v, bool),
        "long": lambda: isinstance(v, int) and not isinstance(v, bool),
        "float": lambda: isinstance(v, (int, float)) and not isinstance(v, bool),
        "double": lambda: isinstance(v, (int, float)) and not isinstance(v, bool),
        "boolean": lambda: isinstance(v, bool),
        "timestamp": lambda: isinstance(v, (int, float)) and not isinstance(v, bool),
        "blob": lambda: isinstance(v, str),
    }.get(t)
    if ok is None:
        return "%s: unknown shape type %s" % (path, t)
    if not ok():
        return "%s: %r is not a %s (%s)" % (path, v, t, shape.name)
    # Lengths and patterns are input constraints: Cognito's own answers
    # break them (SchemaAttributes name phone_number_verified, 21
    # characters, in a CustomAttributeNameType of at most 20).
    if t == "string" and shape.enum and v not in shape.enum:
        return "%s: %r is not one of %s's values %s" % (path, v, shape.name, shape.enum)
    if t == "blob":
        try:
            base64.b64decode(v, validate=True)
        except Exception:
            return "%s: blob is not base64" % path
    return None


def check_shape(shape, v, path, problems):
    if v is None:
        problems.append("%s: null (AWS omits absent members)" % path)
        return
    t = shape.type_name
    if t == "structure" and shape.metadata.get("document"):
        return  # a document (WebAuthn options): any JSON
    if t == "structure":
        if not isinstance(v, dict):
            problems.append("%s: %r is not an object (%s)" % (path, v, shape.name))
            return
        for k in v:
            if k not in shape.members:
                problems.append("%s.%s: not a member of %s" % (path, k, shape.name))
        for r in shape.required_members:
            if r not in v:
                problems.append("%s.%s: required member of %s missing" % (path, r, shape.name))
        for k, x in v.items():
            if k in shape.members:
                check_shape(shape.members[k], x, path + "." + k, problems)
    elif t == "list":
        if not isinstance(v, list):
            problems.append("%s: %r is not a list (%s)" % (path, v, shape.name))
            return
        for i, x in enumerate(v):
            check_shape(shape.member, x, "%s[%d]" % (path, i), problems)
    elif t == "map":
        if not isinstance(v, dict):
            problems.append("%s: %r is not a map (%s)" % (path, v, shape.name))
            return
        for k, x in v.items():
            p = type_problem(shape.key, k, path + "{key}")
            if p:
                problems.append(p)
            check_shape(shape.value, x, "%s[%s]" % (path, k), problems)
    else:
        p = type_problem(shape, v, path)
        if p:
            problems.append(p)


def error_body_problems(shape, raw):
    """Checks an error answer's body: AWS's JSON error shape, {"__type",
    "message"}, with only members of the error's shape beside them."""
    try:
        body = json.loads(raw)
    except ValueError:
        return ["error body is not JSON: %r" % raw[:200]]
    if not isinstance(body, dict) or not isinstance(body.get("__type"), str):
        return ["error body has no __type: %r" % raw[:200]]
    allowed = {"__type", "message", "Message"} | (set(shape.members) if shape is not None else set())
    return ["error body key %s is not a member of the error's shape" % k for k in body if k not in allowed]


def output_problems(shape, body, path):
    """The problems of a whole decoded answer body of an operation whose
    output shape is shape (None for an operation without output)."""
    problems = []
    if shape is None:
        if body not in ({}, None):
            problems.append("%s: a body %r for an operation without output" % (path, body))
    elif not isinstance(body, dict):
        problems.append("%s: body is not an object" % path)
    else:
        check_shape(shape, body, path, problems)
    return problems


def watch(client, problems, seen=None):
    """Checks every successful answer client receives from now on against
    its operation's output shape, appending the problems found to problems
    and, when seen is a list, the operation's name to seen."""

    def after_call(http_response=None, model=None, **_):
        if http_response is None or http_response.status_code != 200:
            return
        if seen is not None:
            seen.append(model.name)
        raw = http_response.content or b""
        try:
            body = json.loads(raw) if raw.strip() else {}
        except ValueError:
            problems.append("%s: body is not JSON: %r" % (model.name, raw[:200]))
            return
        problems.extend(output_problems(model.output_shape, body, model.name))

    client.meta.events.register("after-call", after_call)
