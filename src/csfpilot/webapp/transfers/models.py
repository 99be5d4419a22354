"""No tables of its own: a transfer reads the catalog's crosswalks and writes profiles.

What was transferred, from where and how is kept where it belongs: in the
written outcomes' notes and in the one audit event of the transfer.
"""
