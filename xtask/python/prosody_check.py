"""The XMPP side of `cargo xtask prosody-check`, run with slixmpp against a real
Prosody that the xtask started on 127.0.0.1.

    prosody_check.py populate --domain D --port P
        creates the rooms, their settings, affiliations and messages of the scenario
        (and destroys one room through Prosody itself, for comparison with prune)
    prosody_check.py observe --domain D --port P --out FILE [--rooms R,...]
        logs every test user in and writes what a client sees of each room
        (existence, name, description, subject, affiliations, full MAM history)
        as JSON, host names included
    prosody_check.py compare BEFORE AFTER --from OLD --to NEW [--gone R,...]
        fails unless AFTER is BEFORE with the hosts of OLD renamed to those of
        NEW in JIDs only (bodies, names and descriptions unchanged), minus the
        rooms listed as gone, which must not exist any more

It only talks XMPP; the xtask owns Prosody's process and the data directory.
"""

import argparse
import asyncio
import json
import logging
import sys

import slixmpp
from slixmpp.exceptions import IqError

PASSWORD = "correct horse battery staple"

# The scenario: rooms by local part (as the plugin names them), and who says what.
KEPT_VIDEO = "8df24108-6e70-4fc8-b1cc-f2db7fcdd535"
GONE_VIDEO = "0b8e0f7c-2f6e-4d5b-9c3e-8a1b2c3d4e5f"
KEPT_CHANNEL = "channel.1"
GONE_CHANNEL = "channel.2"
UNKNOWN = "lobby"
DESTROYED = "3f1b7a52-9d0e-4c1a-8e2f-6b5c4d3e2f1a"
ROOMS = [KEPT_VIDEO, GONE_VIDEO, KEPT_CHANNEL, GONE_CHANNEL, UNKNOWN]

# (user, host prefix): alice owns every room, bob is an admin, carol (an external
# OIDC account) a member, mallory is banned.
USERS = [("alice", ""), ("bob", ""), ("mallory", ""), ("carol", "external."), ("moderator", "bot.")]


def jid(user, prefix, domain):
    return f"{user}@{prefix}{domain}"


class Client(slixmpp.ClientXMPP):
    def __init__(self, who, password, anonymous=False):
        super().__init__(who, password, sasl_mech="ANONYMOUS" if anonymous else None)
        for p in ["xep_0030", "xep_0004", "xep_0045", "xep_0059", "xep_0313", "xep_0199"]:
            self.register_plugin(p)
        self.ready = asyncio.get_event_loop().create_future()
        self.add_event_handler("session_start", self._started)
        self.add_event_handler("failed_auth", self._failed)

    async def _started(self, _):
        self.send_presence()
        if not self.ready.done():
            self.ready.set_result(True)

    def _failed(self, _):
        if not self.ready.done():
            self.ready.set_exception(RuntimeError(f"{self.boundjid.bare}: authentication failed"))


async def login(who, port, anonymous=False):
    c = Client(who, PASSWORD, anonymous)
    # Loopback only, no certificates: SCRAM over a plain connection.
    c.plugin["feature_mechanisms"].unencrypted_scram = True
    c.enable_starttls = False
    c.enable_direct_tls = False
    c.enable_plaintext = True
    c.connect("127.0.0.1", port)
    await asyncio.wait_for(c.ready, 20)
    return c


async def populate(domain, port):
    muc = f"room.{domain}"
    alice = await login(jid("alice", "", domain), port)
    bob = await login(jid("bob", "", domain), port)
    carol = await login(jid("carol", "external.", domain), port)
    anon = await login(f"anon.{domain}", port, anonymous=True)
    m = alice.plugin["xep_0045"]
    for i, room in enumerate(ROOMS + [DESTROYED]):
        rj = f"{room}@{muc}"
        await m.join_muc_wait(rj, "Alice", maxstanzas=0)
        form = await m.get_room_config(rj)
        values = {
            "muc#roomconfig_roomname": f"Room {i}: café ☕ of {domain}",
            "muc#roomconfig_roomdesc": f"Talk about {domain}, and bob@{domain}",
            "muc#roomconfig_persistentroom": True,
            "muc#roomconfig_publicroom": False,
            # The video room shows real JIDs, so archived messages carry them.
            "muc#roomconfig_whois": "anyone" if room == KEPT_VIDEO else "moderators",
            "muc#roomconfig_changesubject": False,
        }
        new = alice.plugin["xep_0004"].make_form("submit")
        new.add_field(var="FORM_TYPE", ftype="hidden", value="http://jabber.org/protocol/muc#roomconfig")
        for field in form_fields(form):
            var = field["var"]
            if var in values:
                new.add_field(var=var, value=values[var])
        await m.set_room_config(rj, new)
        await m.set_affiliation(rj, "admin", jid=jid("bob", "", domain))
        await m.set_affiliation(rj, "member", jid=jid("carol", "external.", domain))
        await m.set_affiliation(rj, "outcast", jid=jid("mallory", "", domain), reason="spam")
        await m.set_affiliation(rj, "admin", jid=jid("moderator", "bot.", domain))
        m.set_subject(rj, f"Subject of {room}: welcome to {muc}")
        await asyncio.sleep(0.1)
        speakers = [(alice, "Alice"), (bob, "Bob"), (carol, "Carol"), (anon, "Guest 42")]
        for c, nick in speakers[1:]:
            await c.plugin["xep_0045"].join_muc_wait(rj, nick, maxstanzas=0)
        bodies = [
            "Hello, world",
            "Ça va ? 日本語 🎉",
            f"visit https://{domain}/videos and room.{domain}",
            f"alice@{domain}",
            f"{room}@{muc}",
            "line one\nline two \"quoted\" 'single' \\ backslash",
        ]
        for n in range(12):
            c, nick = speakers[n % len(speakers)]
            body = bodies[n % len(bodies)]
            # Bodies that are exactly a JID stay exactly that.
            if "@" not in body or " " in body:
                body = f"{body} #{n}"
            c.send_message(mto=rj, mbody=body, mtype="groupchat")
            await asyncio.sleep(0.03)
        await asyncio.sleep(0.3)
    # One room destroyed by Prosody itself: what prune must leave is what this leaves.
    await m.destroy(f"{DESTROYED}@{muc}", reason="compare with prune")
    await asyncio.sleep(0.3)
    for c in [alice, bob, carol, anon]:
        c.disconnect()
    await asyncio.sleep(0.3)


def form_fields(form):
    fields = form["fields"]
    return fields.values() if hasattr(fields, "values") else fields


def form_value(form, var):
    for field in form_fields(form):
        if field["var"] == var:
            return field["value"]
    return None


async def observe(domain, port, out, rooms):
    muc = f"room.{domain}"
    # Every account logs in with its password at this domain.
    clients = {}
    for user, prefix in USERS:
        clients[user] = await login(jid(user, prefix, domain), port)
    alice = clients["alice"]
    m = alice.plugin["xep_0045"]
    result = {"domain": domain, "logins": sorted(jid(u, p, domain) for u, p in USERS), "rooms": {}}
    for room in rooms:
        rj = f"{room}@{muc}"
        try:
            info = await alice.plugin["xep_0030"].get_info(jid=rj, cached=False)
        except IqError as e:
            result["rooms"][room] = {"exists": False, "error": e.iq["error"]["condition"]}
            continue
        q = info["disco_info"]
        ident = [i[3] for i in q["identities"]]
        form = q["form"] if "form" in q.keys() else None
        r = {
            "exists": True,
            "name": ident[0] if ident else None,
            "description": form_value(q["form"], "muc#roominfo_description") if form else None,
            "features": sorted(f for f in q["features"] if f.startswith("muc_")),
        }
        join = await m.join_muc_wait(rj, "Observer", maxstanzas=0)
        r["subject"] = str(join.subject) if hasattr(join, "subject") else None
        affs = {}
        for aff in ["owner", "admin", "member", "outcast"]:
            for j in await m.get_affiliation_list(rj, aff):
                affs[str(j)] = aff
        r["affiliations"] = dict(sorted(affs.items()))
        history = []
        async for msg in alice.plugin["xep_0313"].iterate(jid=rj, rsm={"max": 25}):
            fwd = msg["mam_result"]["forwarded"]
            stanza = fwd["stanza"]
            item = stanza.xml.find("{http://jabber.org/protocol/muc#user}x/{http://jabber.org/protocol/muc#user}item")
            history.append({
                "id": msg["mam_result"]["id"],
                "stamp": str(fwd["delay"]["stamp"]),
                "from": str(stanza["from"]),
                "body": stanza["body"],
                "real_jid": item.get("jid") if item is not None else None,
            })
        r["history"] = history
        m.leave_muc(rj, "Observer")
        result["rooms"][room] = r
    for c in clients.values():
        c.disconnect()
    await asyncio.sleep(0.3)
    with open(out, "w", encoding="utf-8") as f:
        json.dump(result, f, ensure_ascii=False, indent=1, sort_keys=True)


def rename_jid(j, old, new):
    """The JID `j` with its domain renamed when it is one of OLD's hosts."""
    if j is None:
        return None
    node, sep, rest = j.partition("@") if "@" in j.split("/")[0] else ("", "", j)
    domain, slash, resource = rest.partition("/")
    for p in ["", "room.", "anon.", "external.", "bot."]:
        if domain == p + old:
            domain = p + new
    return f"{node}{sep}{domain}{slash}{resource}"


def compare(before_path, after_path, old, new, gone):
    with open(before_path, encoding="utf-8") as f:
        before = json.load(f)
    with open(after_path, encoding="utf-8") as f:
        after = json.load(f)
    problems = []
    want_logins = sorted(rename_jid(j, old, new) for j in before["logins"])
    if after["logins"] != want_logins:
        problems.append(f"logins: {after['logins']} != {want_logins}")
    for room, b in before["rooms"].items():
        a = after["rooms"].get(room)
        if room in gone:
            if a is None or a.get("exists"):
                problems.append(f"{room}: still exists after prune")
            continue
        if not b.get("exists"):
            continue
        if a is None or not a.get("exists"):
            problems.append(f"{room}: missing ({a})")
            continue
        expect = dict(b)
        expect["affiliations"] = {rename_jid(k, old, new): v for k, v in b["affiliations"].items()}
        expect["history"] = [
            dict(h, **{"from": rename_jid(h["from"], old, new), "real_jid": rename_jid(h["real_jid"], old, new)})
            for h in b["history"]
        ]
        for key in sorted(set(expect) | set(a)):
            if expect.get(key) != a.get(key):
                problems.append(f"{room}.{key}:\n  expected {expect.get(key)!r}\n  found    {a.get(key)!r}")
        if not b["history"]:
            problems.append(f"{room}: the scenario left no history to compare")
    for p in problems:
        print(f"prosody-check: {p}", file=sys.stderr)
    if problems:
        sys.exit(1)
    n = sum(len(r.get("history", [])) for r in after["rooms"].values())
    print(f"prosody-check: {after_path}: {len(after['rooms'])} rooms as expected, {n} archived messages identical")


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("populate")
    p.add_argument("--domain", required=True)
    p.add_argument("--port", type=int, required=True)
    o = sub.add_parser("observe")
    o.add_argument("--domain", required=True)
    o.add_argument("--port", type=int, required=True)
    o.add_argument("--out", required=True)
    o.add_argument("--rooms", default=",".join(ROOMS + [DESTROYED]))
    c = sub.add_parser("compare")
    c.add_argument("before")
    c.add_argument("after")
    c.add_argument("--from", dest="old", required=True)
    c.add_argument("--to", dest="new", required=True)
    c.add_argument("--gone", default="")
    args = ap.parse_args()
    logging.basicConfig(level=logging.ERROR)
    if args.cmd == "populate":
        asyncio.run(populate(args.domain, args.port))
    elif args.cmd == "observe":
        asyncio.run(observe(args.domain, args.port, args.out, args.rooms.split(",")))
    else:
        compare(args.before, args.after, args.old, args.new, set(filter(None, args.gone.split(","))))


if __name__ == "__main__":
    main()
