"""Self-Instruct seed tasks: one instruction with a list of instances, one record each."""

NAME = "self_instruct"


def matches(keys: set[str]) -> bool:
    return {"instruction", "instances"} <= keys


def convert(row):
    instances = row.require("instances")
    if not isinstance(instances, list) or not instances:
        raise row.fail("field 'instances' must be a non-empty list of {input, output}")
    task = row.rest("instruction", "instances")
    for i, instance in enumerate(instances):
        if not isinstance(instance, dict) or "output" not in instance:
            raise row.fail(f"instance {i + 1} must be an object with 'input' and 'output'")
        yield row.record(
            instruction=row.require("instruction"),
            input=instance.get("input", ""),
            output=instance["output"],
            source="seed",
            meta={**task, "instance": i},
        )
