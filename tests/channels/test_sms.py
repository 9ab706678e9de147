import pytest

from campaigns.channels import sms


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("", sms.GSM7, 0, 0),
        ("Hello", sms.GSM7, 5, 1),
        ("a" * 160, sms.GSM7, 160, 1),
        ("a" * 161, sms.GSM7, 161, 2),
        ("a" * 306, sms.GSM7, 306, 2),
        ("a" * 307, sms.GSM7, 307, 3),
        ("€" * 80, sms.GSM7, 160, 1),  # extension characters count twice
        ("€" * 81, sms.GSM7, 162, 2),
        ("Ça coûte 5€", sms.UCS2, 11, 1),  # û is not in GSM-7
        ("é" * 160, sms.GSM7, 160, 1),  # é is
        ("ы" * 70, sms.UCS2, 70, 1),
        ("ы" * 71, sms.UCS2, 71, 2),
        ("ы" * 134, sms.UCS2, 134, 2),
        ("ы" * 135, sms.UCS2, 135, 3),
        ("😀" * 35, sms.UCS2, 70, 1),  # a surrogate pair is two units
    ],
)
def test_sms_count_gives_encoding_units_and_segments(text, encoding, units, segments):
    count = sms.count(text)
    assert (count.encoding, count.units, count.segments) == (encoding, units, segments)


def test_an_escape_pair_is_never_split_across_two_parts():
    # 152 plain characters and one € (2 septets) do not fit 153: the € moves to part two.
    count = sms.count("a" * 152 + "€" + "a" * 10)
    assert count.segments == 2
    assert sms.count("a" * 151 + "€" + "a" * 153).segments == 2
    assert sms.count("a" * 152 + "€" + "a" * 152).segments == 3


def test_the_counter_says_how_many_units_are_left():
    assert sms.count("Hello").remaining == 155
    assert sms.count("a" * 200).remaining == 306 - 200
