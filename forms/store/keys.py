"""The data key of an encrypted profile and the small JSON key file that holds it, wrapped.

Each encrypted profile has a random 256-bit data key; SQLCipher gets it raw, so its own
passphrase KDF is not what protects the file, and a new passphrase re-wraps 32 bytes instead
of re-encrypting the database. The key file beside the database (`households.sqlite.keys.json`)
holds the data key only wrapped (AES-256-GCM):

- under a key derived from the officer's passphrase by Argon2id (RFC 9106's second
  recommended setting: 64 MiB, 3 passes, 4 lanes; scrypt N=2^17, r=8 where OpenSSL lacks
  Argon2), with a random 16-byte salt per wrap;
- for each provincial recovery public key (X25519; an ephemeral key per wrap, HKDF-SHA256),
  so the district can re-wrap it under a new passphrase with the province's private key,
  offline, when the officer forgets the passphrase.

The associated data binds each wrap to this profile and its purpose: a wrap copied from
another profile's key file does not open this one.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import threading
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from forms.i18n import Message, message
from forms.paths import DB_NAME
from forms.store import cipher
from forms.store.errors import StoreError

DATA_KEY_BYTES = 32
FORMAT = "labour-survey-profile-keys"
VERSION = 1
RECOVERY_SCHEME = "x25519-hkdf-sha256-aes256gcm"
ARGON2ID = {"iterations": 3, "memory_kib": 65536, "lanes": 4}
SCRYPT = {"n": 2**17, "r": 8, "p": 1}
# A key file is data read from disk: parameters outside these bounds are refused rather than
# run (a doctored file asking for 100 GB of memory).
_BOUNDS = {"iterations": (1, 64), "memory_kib": (8, 4 * 1024 * 1024), "lanes": (1, 64),
           "n": (2**10, 2**22), "r": (1, 64), "p": (1, 16)}


class WrongPassphrase(StoreError):
    """The passphrase does not open the key file; `wait` seconds before the next try."""

    def __init__(self, msg: Message, wait: float = 0.0):
        super().__init__(msg)
        self.wait = wait


class MustWait(StoreError):
    """Too soon after a wrong passphrase: nothing was tried."""

    def __init__(self, msg: Message, wait: float):
        super().__init__(msg)
        self.wait = wait


class WrongRecoveryKey(StoreError):
    pass


class ProfileLocked(StoreError):
    """An encrypted profile was opened without its data key."""


class KeyFileError(StoreError):
    pass


@dataclass(frozen=True, slots=True)
class Kdf:
    name: str  # "argon2id" or "scrypt"
    params: dict[str, int]


def default_kdf() -> Kdf:
    return Kdf("argon2id", dict(ARGON2ID)) if _has_argon2() else Kdf("scrypt", dict(SCRYPT))


def _has_argon2() -> bool:
    try:
        from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
        Argon2id(salt=b"\0" * 16, length=32, iterations=1, lanes=1, memory_cost=8).derive(b"x")
    except (ImportError, UnsupportedAlgorithm):
        return False
    return True


def normalize_passphrase(passphrase: str) -> bytes:
    # Vietnamese input methods differ in composing (precomposed or combining marks): the same
    # typed passphrase must give the same bytes.
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def derive(passphrase: str, salt: bytes, kdf: Kdf) -> bytes:
    p = kdf.params
    for name, value in p.items():
        low, high = _BOUNDS.get(name, (0, 0))
        if not low <= value <= high:
            raise ValueError(f"KDF parameter {name}={value} out of bounds")
    secret = normalize_passphrase(passphrase)
    if kdf.name == "argon2id":
        from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
        return Argon2id(salt=salt, length=32, iterations=p["iterations"], lanes=p["lanes"],
                        memory_cost=p["memory_kib"]).derive(secret)
    if kdf.name == "scrypt":
        return hashlib.scrypt(secret, salt=salt, n=p["n"], r=p["r"], p=p["p"], maxmem=256 * p["n"] * p["r"] + 2**24,
                              dklen=32)
    raise ValueError(f"unknown KDF {kdf.name!r}")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any) -> bytes:
    if not isinstance(text, str):
        raise ValueError("not base64 text")
    return base64.b64decode(text, validate=True)


def _aad(purpose: str, profile_id: str, extra: str = "") -> bytes:
    return f"{FORMAT}/v{VERSION}/{purpose}/{profile_id}/{extra}".encode("ascii")


# -- wrapping --------------------------------------------------------------------------------
def wrap_with_passphrase(data_key: bytes, passphrase: str, profile_id: str, kdf: Kdf | None = None) -> dict[str, Any]:
    kdf = kdf or default_kdf()
    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    wrapped = AESGCM(derive(passphrase, salt, kdf)).encrypt(nonce, data_key, _aad("passphrase", profile_id))
    return {"kdf": kdf.name, **kdf.params, "salt": _b64(salt), "nonce": _b64(nonce), "wrapped": _b64(wrapped)}


def unwrap_with_passphrase(entry: dict[str, Any], passphrase: str, profile_id: str) -> bytes | None:
    """The data key, or None if the passphrase is wrong."""
    try:
        params = {k: int(v) for k, v in entry.items() if k in _BOUNDS}
        kek = derive(passphrase, _unb64(entry["salt"]), Kdf(str(entry["kdf"]), params))
        return AESGCM(kek).decrypt(_unb64(entry["nonce"]), _unb64(entry["wrapped"]), _aad("passphrase", profile_id))
    except InvalidTag:
        return None
    except (KeyError, ValueError, TypeError) as exc:
        raise KeyFileError(message("security_bad_key_file", path="", reason=type(exc).__name__)) from None


# The province's private recovery key opens every officer's profile: its file is protected by
# a slower Argon2id than a profile (used once in a while, on an office PC), not by the PEM
# format's PBKDF2 (2,048 rounds of SHA-256 in OpenSSL's default), which a copied file would
# not resist for long.
RECOVERY_KDF = {"iterations": 4, "memory_kib": 256 * 1024, "lanes": 4}
_RECOVERY_LABEL = b"LABOUR SURVEY RECOVERY ENCRYPTED PRIVATE KEY"
_RECOVERY_AAD = b"labour-survey recovery private key v1"


def make_recovery_keypair(passphrase: bytes | None = None, kdf: Kdf | None = None) -> tuple[bytes, bytes]:
    """A province's recovery key pair as PEM: (private key, public key). The private key stays
    at the province (encrypted with `passphrase` if given); laptops get the public key."""
    private = X25519PrivateKey.generate()
    public_pem = private.public_key().public_bytes(serialization.Encoding.PEM,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo)
    if not passphrase:
        return private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption()), public_pem
    der = private.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    kdf = kdf or (Kdf("argon2id", dict(RECOVERY_KDF)) if _has_argon2() else default_kdf())
    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    kek = derive(passphrase.decode("utf-8"), salt, kdf)
    body = {"v": 1, "kdf": kdf.name, **kdf.params, "salt": _b64(salt), "nonce": _b64(nonce),
            "key": _b64(AESGCM(kek).encrypt(nonce, der, _RECOVERY_AAD))}
    text = base64.encodebytes(json.dumps(body, sort_keys=True).encode()).decode("ascii")
    label = _RECOVERY_LABEL.decode()
    return f"-----BEGIN {label}-----\n{text}-----END {label}-----\n".encode(), public_pem


def _open_recovery_file(private_pem: bytes, password: bytes | None) -> bytes:
    """The PKCS8 DER inside this program's protected key file (KeyFileError if it can't be)."""
    if not password:
        raise KeyFileError(message("security_recovery_key_password"))
    try:
        lines = private_pem.decode("ascii").strip().splitlines()
        body = json.loads(base64.b64decode("".join(lines[1:-1])))
        params = {k: int(v) for k, v in body.items() if k in _BOUNDS}
        kek = derive(password.decode("utf-8"), _unb64(body["salt"]), Kdf(str(body["kdf"]), params))
        return AESGCM(kek).decrypt(_unb64(body["nonce"]), _unb64(body["key"]), _RECOVERY_AAD)
    except InvalidTag:
        raise KeyFileError(message("security_recovery_key_password")) from None
    except (ValueError, KeyError, TypeError, IndexError, UnicodeError):
        raise KeyFileError(message("security_bad_private_key")) from None


def load_recovery_public_key(public_pem: bytes) -> X25519PublicKey:
    if b"PRIVATE KEY" in public_pem[:200]:  # the province's secret, given where its public half belongs
        raise KeyFileError(message("security_private_not_public"))
    try:
        key = serialization.load_pem_public_key(public_pem)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        key = None
    if not isinstance(key, X25519PublicKey):
        raise KeyFileError(message("security_bad_public_key"))
    return key


def load_recovery_private_key(private_pem: bytes, password: bytes | None = None) -> X25519PrivateKey:
    """This program's protected key file, or any PEM private key (made with openssl, say)."""
    try:
        if _RECOVERY_LABEL in private_pem.split(b"\n", 1)[0]:
            key = serialization.load_der_private_key(_open_recovery_file(private_pem, password), password=None)
        else:
            key = serialization.load_pem_private_key(private_pem, password=password)
    except TypeError:  # encrypted and no password, or a password for a plain key
        raise KeyFileError(message("security_recovery_key_password")) from None
    except (ValueError, UnsupportedAlgorithm):
        if private_key_is_encrypted(private_pem):  # cryptography says "Bad decrypt" for a wrong password
            raise KeyFileError(message("security_recovery_key_password")) from None
        key = None
    if not isinstance(key, X25519PrivateKey):
        raise KeyFileError(message("security_bad_private_key"))
    return key


def private_key_is_encrypted(private_pem: bytes) -> bool:
    return b"ENCRYPTED" in private_pem.split(b"\n", 1)[0]


def _raw(public: X25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def fingerprint(public: X25519PublicKey) -> str:
    """Short enough to read out on the phone: the first 16 bytes of SHA-256, in hex."""
    return hashlib.sha256(_raw(public)).hexdigest()[:32]


def _recovery_kek(shared: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    return HKDF(hashes.SHA256(), 32, salt=ephemeral + recipient, info=b"labour-survey recovery v1").derive(shared)


def wrap_for_recovery(data_key: bytes, public_pem: bytes, profile_id: str) -> dict[str, Any]:
    recipient = load_recovery_public_key(public_pem)
    ephemeral = X25519PrivateKey.generate()
    eph_raw, rec_raw = _raw(ephemeral.public_key()), _raw(recipient)
    kek = _recovery_kek(ephemeral.exchange(recipient), eph_raw, rec_raw)
    nonce = secrets.token_bytes(12)
    fp = fingerprint(recipient)
    wrapped = AESGCM(kek).encrypt(nonce, data_key, _aad("recovery", profile_id, fp))
    return {"scheme": RECOVERY_SCHEME, "fingerprint": fp, "ephemeral": _b64(eph_raw), "nonce": _b64(nonce),
            "wrapped": _b64(wrapped)}


def unwrap_with_recovery(entries: list[dict[str, Any]], private: X25519PrivateKey, profile_id: str) -> bytes | None:
    """The data key, or None if no wrap is for this private key."""
    fp = fingerprint(private.public_key())
    rec_raw = _raw(private.public_key())
    for entry in entries:
        if entry.get("fingerprint") != fp or entry.get("scheme") != RECOVERY_SCHEME:
            continue
        try:
            eph_raw = _unb64(entry["ephemeral"])
            kek = _recovery_kek(private.exchange(X25519PublicKey.from_public_bytes(eph_raw)), eph_raw, rec_raw)
            return AESGCM(kek).decrypt(_unb64(entry["nonce"]), _unb64(entry["wrapped"]), _aad("recovery", profile_id, fp))
        except (InvalidTag, KeyError, ValueError):
            continue
    return None


# -- the key file ----------------------------------------------------------------------------
def key_file_path(db_path: str | Path) -> Path:
    p = Path(db_path)
    return p.with_name(p.name + ".keys.json")


def is_encrypted(db_path: str | Path) -> bool:
    """A profile is encrypted when its key file exists."""
    return key_file_path(db_path).exists()


@dataclass(slots=True)
class KeyFile:
    profile_id: str
    passphrase: dict[str, Any]
    recovery: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def new(cls, data_key: bytes, passphrase: str, kdf: Kdf | None = None) -> KeyFile:
        profile_id = secrets.token_hex(16)
        return cls(profile_id, wrap_with_passphrase(data_key, passphrase, profile_id, kdf))

    @classmethod
    def load(cls, db_path: str | Path) -> KeyFile:
        path = key_file_path(db_path)
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            if raw.get("format") != FORMAT or raw.get("version") != VERSION:
                raise ValueError("format")
            return cls(str(raw["profile_id"]), dict(raw["passphrase"]), [dict(r) for r in raw.get("recovery", [])])
        except FileNotFoundError:
            raise ProfileLocked(message("security_not_encrypted", path=db_path)) from None
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise KeyFileError(message("security_bad_key_file", path=path, reason=type(exc).__name__)) from None

    def save(self, db_path: str | Path) -> None:
        body = {"format": FORMAT, "version": VERSION, "profile_id": self.profile_id, "cipher": "sqlcipher4-raw-key",
                "passphrase": self.passphrase, "recovery": self.recovery}
        atomic_write(key_file_path(db_path), (json.dumps(body, indent=1) + "\n").encode("ascii"))

    def unwrap(self, passphrase: str) -> bytes | None:
        return unwrap_with_passphrase(self.passphrase, passphrase, self.profile_id)

    def rewrap(self, data_key: bytes, passphrase: str, kdf: Kdf | None = None) -> None:
        self.passphrase = wrap_with_passphrase(data_key, passphrase, self.profile_id, kdf)

    def add_recovery(self, data_key: bytes, public_pem: bytes) -> str:
        """Wrap the data key for a recovery public key (replacing an older wrap for the same
        key); returns its fingerprint."""
        entry = wrap_for_recovery(data_key, public_pem, self.profile_id)
        self.recovery = [r for r in self.recovery if r.get("fingerprint") != entry["fingerprint"]] + [entry]
        return entry["fingerprint"]

    def recover(self, private: X25519PrivateKey) -> bytes | None:
        return unwrap_with_recovery(self.recovery, private, self.profile_id)


def atomic_write(path: Path, data: bytes) -> None:
    """Write a file so that a crash leaves either the old or the new content: a temporary file
    beside it, fsync, rename over, fsync of the folder."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def fsync_dir(folder: Path) -> None:
    if os.name == "nt":  # Windows cannot open a folder for fsync; NTFS journals the rename
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def new_data_key() -> bytes:
    return secrets.token_bytes(DATA_KEY_BYTES)


def database_of(path: str | Path) -> Path:
    """The database of a profile folder, or the database path itself."""
    p = Path(path)
    return p / DB_NAME if p.is_dir() else p


def pending_recovery_path(db_path: str | Path) -> Path:
    p = Path(db_path)
    return p.with_name(p.name + ".recovery.pem")


def pending_recovery_key(db_path: str | Path) -> bytes | None:
    """The recovery public key kept for a plain profile until it is encrypted."""
    try:
        return pending_recovery_path(db_path).read_bytes()
    except FileNotFoundError:
        return None


def add_recovery_key(path: str | Path, public_pem: bytes, data_key: bytes | None = None) -> None:
    """Let the province recover this profile (a profile folder or its database): wrap the data
    key for `public_pem` in the key file. `data_key` defaults to the key unlocked in this
    process. A plain profile keeps the public key, and gets the wrap when it is encrypted."""
    db = database_of(path)
    load_recovery_public_key(public_pem)  # refuse anything but an X25519 public key, before writing
    if not is_encrypted(db):
        db.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(pending_recovery_path(db), public_pem)
        return
    data_key = data_key if data_key is not None else unlocked_key(db)
    if data_key is None:
        raise ProfileLocked(message("security_profile_locked", path=db))
    from forms.store import encryption  # it imports this module

    encryption.finish_interrupted(db)
    if db.exists():
        with cipher.plain_errors(str(db)):  # a wrap of a wrong key would show only on the day it is needed
            cipher.connect(db, data_key).close()
    key_file = KeyFile.load(db)
    key_file.add_recovery(data_key, public_pem)
    key_file.save(db)
    pending_recovery_path(db).unlink(missing_ok=True)


# -- data keys unlocked in this process ------------------------------------------------------
# The desktop opens the profile again from worker threads (list counts, sync, printing), each
# with Store(path): once the officer has unlocked a profile, those find its key here.
_unlocked: dict[str, bytes] = {}
_unlocked_lock = threading.Lock()


def _id(db_path: str | Path) -> str:
    return str(Path(db_path).resolve())


def remember(db_path: str | Path, data_key: bytes) -> None:
    with _unlocked_lock:
        _unlocked[_id(db_path)] = data_key


def unlocked_key(db_path: str | Path) -> bytes | None:
    with _unlocked_lock:
        return _unlocked.get(_id(db_path))


def forget(db_path: str | Path | None = None) -> None:
    """Forget one profile's data key (every one's with None)."""
    with _unlocked_lock:
        if db_path is None:
            _unlocked.clear()
        else:
            _unlocked.pop(_id(db_path), None)
