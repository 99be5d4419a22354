"""A small program with the mistakes a code scanner is there to catch (scanned, never run)."""

import hashlib
import pickle
import subprocess

import requests
import yaml

DB_PASSWORD = "hunter2"


def run(cmd):
    return subprocess.call(cmd, shell=True)


def load(blob):
    return pickle.loads(blob)


def config(text):
    return yaml.load(text)


def digest(data):
    return hashlib.md5(data).hexdigest()


def fetch(url):
    return requests.get(url, verify=False)


def check(value):
    assert value > 0
    return eval(value)
