import pytest
from hypothesis import given
from hypothesis import strategies as st

from visiorelais.calls.signaling import MAX_SDP_BYTES, SignalError, decode_signal

SDP = "v=0\r\no=- 46117317 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
CANDIDATE = "candidate:842163049 1 udp 1677729535 127.0.0.1 46154 typ srflx raddr 0.0.0.0 rport 0 generation 0"


@pytest.mark.parametrize("kind", ["offer", "answer"])
def test_it_keeps_an_offer_or_answer_and_drops_unknown_fields(kind):
    assert decode_signal({"kind": kind, "sdp": SDP, "evil": "<script>"}) == {"kind": kind, "sdp": SDP}


def test_it_keeps_a_candidate_and_the_end_of_candidates_marker():
    signal = {"kind": "candidate", "candidate": CANDIDATE, "sdpMid": "0", "sdpMLineIndex": 0}
    assert decode_signal(signal) == signal
    end = {"kind": "candidate", "candidate": "", "sdpMid": None, "sdpMLineIndex": None}
    assert decode_signal(end) == end


def test_it_keeps_a_restart_request():
    assert decode_signal({"kind": "restart", "sdp": "ignored"}) == {"kind": "restart"}


@pytest.mark.parametrize(
    "raw",
    [
        None,
        [],
        "offer",
        {},
        {"kind": "hangup"},
        {"kind": "offer"},
        {"kind": "offer", "sdp": 3},
        {"kind": "offer", "sdp": "hello"},
        {"kind": "offer", "sdp": "v=0" + "a" * MAX_SDP_BYTES},
        {"kind": "answer", "sdp": "v=0\x00"},
        {"kind": "candidate", "candidate": "typ host", "sdpMid": "0", "sdpMLineIndex": 0},
        {"kind": "candidate", "candidate": CANDIDATE},
        {"kind": "candidate", "candidate": CANDIDATE, "sdpMid": 0, "sdpMLineIndex": 0},
        {"kind": "candidate", "candidate": CANDIDATE, "sdpMid": "0", "sdpMLineIndex": True},
        {"kind": "candidate", "candidate": CANDIDATE, "sdpMid": "0", "sdpMLineIndex": -1},
        {"kind": "candidate", "candidate": CANDIDATE, "sdpMid": "0", "sdpMLineIndex": 999},
        {"kind": "candidate", "candidate": "candidate:" + "x" * 2000, "sdpMid": "0", "sdpMLineIndex": 0},
    ],
)
def test_it_refuses_malformed_signals(raw):
    with pytest.raises(SignalError):
        decode_signal(raw)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)


@given(
    st.one_of(
        json_values,
        st.fixed_dictionaries(
            {"kind": st.sampled_from(["offer", "answer", "candidate", "restart", "x"])},
            optional={key: json_values for key in ("sdp", "candidate", "sdpMid", "sdpMLineIndex")},
        ),
    )
)
def test_any_json_value_either_decodes_to_known_fields_or_raises_signal_error(raw):
    try:
        signal = decode_signal(raw)
    except SignalError:
        return
    allowed = {"offer": {"kind", "sdp"}, "answer": {"kind", "sdp"}, "restart": {"kind"}}
    assert set(signal) == allowed.get(signal["kind"], {"kind", "candidate", "sdpMid", "sdpMLineIndex"})
