"""Dump the protobuf definitions that the installed ShoreGuard package was generated from.

Runs inside the sid root with ShoreGuard's own venv. Writes to OUT_DIR:
  openshell.protoset  a FileDescriptorSet (every *_pb2 module of the package plus dependencies)
  openshell.proto.json the same definitions as a protobufjs JSON namespace, which
                      @grpc/proto-loader's fromJSON loads. Needed because protobufjs turns map
                      fields of a descriptor set into repeated {key, value} entries; here they
                      are real maps (keyType), as in the .proto sources.
  proto/...           any .proto source files shipped in the wheel, as-is
  services.json       {service: [method, ...]} for a quick look at the RPC surface
"""

import importlib
import json
import pathlib
import shutil
import sys

from google.protobuf import descriptor, descriptor_pb2, descriptor_pool

import shoreguard

out = pathlib.Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
pkg_root = pathlib.Path(shoreguard.__file__).parent

fds = descriptor_pb2.FileDescriptorSet()
seen: set[str] = set()


def add(fd) -> None:
    if fd.name in seen:
        return
    for dep in fd.dependencies:
        add(dep)
    seen.add(fd.name)
    proto = descriptor_pb2.FileDescriptorProto()
    fd.CopyToProto(proto)
    fds.file.append(proto)


modules = []
for path in sorted(pkg_root.rglob("*_pb2.py")):
    rel = path.relative_to(pkg_root.parent).with_suffix("")
    name = ".".join(rel.parts)
    module = importlib.import_module(name)
    modules.append(name)
    add(module.DESCRIPTOR)

(out / "openshell.protoset").write_bytes(fds.SerializeToString())

for proto_file in sorted(pkg_root.rglob("*.proto")):
    dest = out / "proto" / proto_file.relative_to(pkg_root)
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(proto_file, dest)

FD = descriptor.FieldDescriptor
SCALARS = {
    FD.TYPE_DOUBLE: "double", FD.TYPE_FLOAT: "float", FD.TYPE_INT64: "int64", FD.TYPE_UINT64: "uint64",
    FD.TYPE_INT32: "int32", FD.TYPE_FIXED64: "fixed64", FD.TYPE_FIXED32: "fixed32", FD.TYPE_BOOL: "bool",
    FD.TYPE_STRING: "string", FD.TYPE_BYTES: "bytes", FD.TYPE_UINT32: "uint32", FD.TYPE_SFIXED32: "sfixed32",
    FD.TYPE_SFIXED64: "sfixed64", FD.TYPE_SINT32: "sint32", FD.TYPE_SINT64: "sint64",
}


def type_ref(field) -> str:
    if field.message_type is not None:
        return "." + field.message_type.full_name
    if field.enum_type is not None:
        return "." + field.enum_type.full_name
    return SCALARS[field.type]


def enum_json(enum) -> dict:
    return {"values": {v.name: v.number for v in enum.values}}


def message_json(msg) -> dict:
    fields = {}
    for field in msg.fields:
        entry = field.message_type
        if entry is not None and entry.GetOptions().map_entry:
            fields[field.name] = {
                "keyType": type_ref(entry.fields_by_name["key"]),
                "type": type_ref(entry.fields_by_name["value"]),
                "id": field.number,
            }
            continue
        spec = {"type": type_ref(field), "id": field.number}
        if field.is_repeated:
            spec["rule"] = "repeated"
        oneof = field.containing_oneof
        if oneof is not None and oneof.name == "_" + field.name and len(oneof.fields) == 1:
            spec["options"] = {"proto3_optional": True}
        fields[field.name] = spec
    out = {"edition": "proto3", "fields": fields}
    if msg.oneofs:
        out["oneofs"] = {o.name: {"oneof": [f.name for f in o.fields]} for o in msg.oneofs}
    nested = {n.name: message_json(n) for n in msg.nested_types if not n.GetOptions().map_entry}
    nested.update({e.name: enum_json(e) for e in msg.enum_types})
    if nested:
        out["nested"] = nested
    return out


def namespace_for(root: dict, package: str) -> dict:
    node = root
    for part in package.split(".") if package else []:
        node = node.setdefault("nested", {}).setdefault(part, {})
    return node.setdefault("nested", {})


json_root: dict = {}
for fd in (descriptor_pool.Default().FindFileByName(f.name) for f in fds.file):
    ns = namespace_for(json_root, fd.package)
    for msg in fd.message_types_by_name.values():
        ns[msg.name] = message_json(msg)
    for enum in fd.enum_types_by_name.values():
        ns[enum.name] = enum_json(enum)
    for svc in fd.services_by_name.values():
        methods = {}
        for m in svc.methods:
            spec = {"requestType": "." + m.input_type.full_name, "responseType": "." + m.output_type.full_name}
            if m.client_streaming:
                spec["requestStream"] = True
            if m.server_streaming:
                spec["responseStream"] = True
            methods[m.name] = spec
        ns[svc.name] = {"methods": methods}
(out / "openshell.proto.json").write_text(json.dumps(json_root, indent=1, sort_keys=True) + "\n")

services = {}
for f in fds.file:
    for svc in f.service:
        services[f"{f.package}.{svc.name}"] = [m.name for m in svc.method]
(out / "services.json").write_text(json.dumps(services, indent=2) + "\n")

print(f"dump_protos: {len(modules)} _pb2 modules ({', '.join(modules)}), {len(fds.file)} files, "
      f"services: {', '.join(f'{k} ({len(v)} RPCs)' for k, v in services.items())}")
