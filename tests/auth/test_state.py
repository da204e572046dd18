"""The signed OAuth state: bound to tenant, connection and identifier; follows vault key rotation."""

from __future__ import annotations

import pytest

from crmbridge.auth import StateSigner
from crmbridge.errors import OAuthSessionMismatch
from crmbridge.store import OAuthStateError
from crmbridge.vault import Vault

OLD, NEW = Vault.generate_key(), Vault.generate_key()
STATE_ID = "A" * 43


def test_a_signed_state_verifies_only_for_what_it_was_bound_to() -> None:
    signer = StateSigner(Vault.from_string(OLD))
    state = signer.sign(STATE_ID, "t1", "hubspot", "u1")
    assert StateSigner.state_id(state) == STATE_ID
    signer.verify(state, "t1", "hubspot", "u1")
    for other in (("t2", "hubspot", "u1"), ("t1", "pipedrive", "u1"), ("t1", "hubspot", "u2")):
        with pytest.raises(OAuthStateError) as info:
            signer.verify(state, *other)
        assert info.value.reason == "unknown"


@pytest.mark.parametrize(
    "state", ["", "nodot", f"{STATE_ID}.", f"{STATE_ID}.short", f"{'A' * 8}.{'B' * 32}", "a.b.c"]
)
def test_malformed_states_are_unknown(state: str) -> None:
    with pytest.raises(OAuthStateError):
        StateSigner.state_id(state)


def test_a_tampered_mac_is_refused() -> None:
    signer = StateSigner(Vault.from_string(OLD))
    state = signer.sign(STATE_ID, "t", "c", "i")
    flipped = state[:-1] + ("A" if state[-1] != "A" else "B")
    with pytest.raises(OAuthStateError):
        signer.verify(flipped, "t", "c", "i")


def test_states_signed_before_a_key_rotation_still_verify_while_the_old_key_is_in_the_ring() -> None:
    state = StateSigner(Vault.from_string(OLD)).sign(STATE_ID, "t", "c", "i")
    StateSigner(Vault.from_string(f"{NEW},{OLD}")).verify(state, "t", "c", "i")
    with pytest.raises(OAuthStateError):
        StateSigner(Vault.from_string(NEW)).verify(state, "t", "c", "i")
    assert StateSigner(Vault.from_string(f"{NEW},{OLD}")).sign(STATE_ID, "t", "c", "i") != state


def test_a_session_bound_state_verifies_only_with_the_same_session_value() -> None:
    signer = StateSigner(Vault.from_string(OLD))
    state = signer.sign(STATE_ID, "t", "c", "i", session_binding="cookie-of-ann")
    assert signer.bound(state) and not signer.bound(signer.sign(STATE_ID, "t", "c", "i"))
    assert StateSigner.state_id(state) == STATE_ID and "cookie-of-ann" not in state
    signer.verify(state, "t", "c", "i", session_binding="cookie-of-ann")
    for wrong in ("cookie-of-bob", "", None):
        with pytest.raises(OAuthSessionMismatch):
            signer.verify(state, "t", "c", "i", session_binding=wrong)


def test_dropping_the_session_mark_does_not_unbind_a_state() -> None:
    signer = StateSigner(Vault.from_string(OLD))
    state = signer.sign(STATE_ID, "t", "c", "i", session_binding="cookie-of-ann")
    unmarked = state.rsplit(".", 1)[0]
    with pytest.raises(OAuthStateError):
        signer.verify(unmarked, "t", "c", "i")
    unbound = signer.sign(STATE_ID, "t", "c", "i")
    with pytest.raises(OAuthSessionMismatch):  # nor does adding one bind an unbound state to anything
        signer.verify(unbound + ".s", "t", "c", "i", session_binding="cookie-of-ann")
