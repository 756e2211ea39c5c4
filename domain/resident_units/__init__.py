"""Resident units (驻区单位) and co-building (互帮共建, policy 二(三)5): the organisations
located in the community, registered by the branch's secretary; their contacts (role
resident_unit, never members); the yearly co-building agreement, the branch's requests and
the units' answers, and the units' yearly opinion on the branch's party building.

models.py holds the nouns and the pure rules, registry.py the units and their contacts,
cobuild.py the agreements, requests and opinions."""
