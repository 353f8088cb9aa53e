"""Times and file attributes in Python: datetimes in UTC, FILETIMEs to the 100 ns, on the
times fixture (tests/fixtures/make_times_fixture.sh), whose $STANDARD_INFORMATION and
$FILE_NAME times differ (tests/cli/test_times.py checks the same volume against istat)."""
from datetime import datetime, timezone

import diskimg


def test_python_has_the_times_as_datetimes(unpacked):
    image = unpacked("times/ntfs-times.img.gz")
    with diskimg.open(image) as disk:
        fs = disk.volumes[0].ntfs()
        record = fs.stat("/touched.txt")
        assert record.times.modified == datetime(2021, 3, 4, 5, 6, 7, 123456, tzinfo=timezone.utc)
        assert record.times.filetimes[1] % 10 == 7  # the 100 ns digit datetime cannot hold
        assert record.names[0].times.modified != record.times.modified
        assert fs.stat("/hidden-readonly.txt").file_attributes == ["readonly", "hidden", "archive"]
        entries = {e.name: e for e in fs.listdir("/")}
        assert entries["touched.txt"].times.accessed == datetime(2022, 6, 7, 8, 9, 10, 765432, tzinfo=timezone.utc)
