"""Long-GOP H.264 (keyframe every 250 frames, B-frames): exact reads before and after the proxy is made.

The proxy must give the same bytes as the source decoded through OpenCV, frame
for frame; it is made once (progress, cancel), reused from disk, ignored when
the source is replaced, and made again when damaged.
"""

from __future__ import annotations

import os
import random
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest
from video_reference import reference_frames
from x264_clips import frame_types, marked_x264

from painxai_gui.demo_data import read_marker, write_test_video
from painxai_gui.errors import ProxyError
from painxai_gui.video import (SEQUENTIAL, ProxyCancelled, VideoReader, find_proxy, needs_proxy, prepare_proxy,
                               prune_proxies)
from painxai_gui.video.proxy import ProxyFile, ProxyLink, SourceIdentity

N_FRAMES = 300  # keyframes at 0 and 250 only
SIZE = (320, 240)


@pytest.fixture(scope="module")
def long_gop(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[np.ndarray]]:
    path = marked_x264(tmp_path_factory.mktemp("x264") / "long_gop.mp4", N_FRAMES, SIZE, preset="veryfast")
    return path, reference_frames(path)


@pytest.fixture(scope="module")
def prepared(long_gop, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(source, proxy) made once for the read-only tests of this module."""
    cache = tmp_path_factory.mktemp("proxy_cache")
    return long_gop[0], prepare_proxy(long_gop[0], cache)


def _exact(reader: VideoReader, reference: list[np.ndarray], index: int) -> None:
    frame = reader.read(index)
    assert read_marker(frame) == index, f"asked for {index}"
    assert np.array_equal(frame, reference[index]), f"frame {index} differs from sequential decoding"


def test_test_video_is_long_gop_with_b_frames(long_gop):
    path, reference = long_gop
    types = frame_types(path)
    assert [i for i, t in enumerate(types) if t == "I"] == [0, 250]
    assert types.count("B") > N_FRAMES // 3
    assert len(reference) == N_FRAMES and needs_proxy(path)


def test_exact_before_the_proxy_exists(long_gop, tmp_path: Path):
    path, reference = long_gop
    order = random.Random(5).sample(range(N_FRAMES), 40) + [249, 250, 251, 0, N_FRAMES - 1]
    with VideoReader(path, cache_bytes=0, proxy_dir=tmp_path) as reader:
        assert reader.decoder == "ffmpeg" and reader.proxy_path is None
        for index in order:
            _exact(reader, reference, index)
        for index in range(262, 250, -1):  # stepping back across the keyframe
            _exact(reader, reference, index)
        assert reader.stats().proxy_reads == 0


def test_proxy_reads_are_exact_and_decode_one_frame_each(long_gop, prepared):
    path, reference = long_gop
    source, proxy = prepared
    assert proxy is not None and proxy.suffix == ".pxproxy"
    order = list(range(N_FRAMES)) * 2
    random.Random(7).shuffle(order)
    with VideoReader(path, cache_bytes=0, proxy_dir=proxy.parent) as reader:
        assert reader.decoder == "proxy" and reader.proxy_path == proxy
        assert reader.frame_count == N_FRAMES
        before = reader.stats()
        for index in order:
            _exact(reader, reference, index)
        for index in range(260, 240, -1):
            _exact(reader, reference, index)
        after = reader.stats()
    assert after.proxy_reads - before.proxy_reads == len(order) + 20
    assert after.seeks == before.seeks and after.grabbed == before.grabbed == 0  # the source is never touched


def test_open_with_proxy_skips_counting_the_source(long_gop, prepared):
    source, proxy = prepared
    with VideoReader(source, proxy_dir=proxy.parent) as reader:
        assert reader.stats().grabbed == 0 and reader.stats().seeks == 0
        assert reader.frame_count == N_FRAMES


def test_reader_switches_to_the_proxy_when_ready(long_gop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path, reference = long_gop
    with VideoReader(path, cache_bytes=0, proxy_dir=tmp_path) as reader:
        _exact(reader, reference, 200)
        assert reader.decoder == "ffmpeg"
        assert prepare_proxy(path, tmp_path) is not None
        monkeypatch.setattr(ProxyLink, "LOOK_EVERY_S", 0.0)  # the reader looks again by itself on its next read
        _exact(reader, reference, 120)
        assert reader.decoder == "proxy" and reader.stats().proxy_reads == 1


def test_attach_proxy_after_preparation(long_gop, tmp_path: Path):
    path, reference = long_gop
    with VideoReader(path, cache_bytes=0, proxy_dir=tmp_path) as reader:
        assert not reader.attach_proxy()
        prepare_proxy(path, tmp_path)
        assert reader.attach_proxy() and reader.decoder == "proxy"
        _exact(reader, reference, 77)
    with VideoReader(path) as plain:
        assert not plain.attach_proxy() and plain.decoder == "ffmpeg"


def test_progress_then_reuse_from_disk(long_gop, tmp_path: Path):
    path, _ = long_gop
    calls: list[tuple[int, int]] = []
    proxy = prepare_proxy(path, tmp_path, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(i, N_FRAMES) for i in range(1, N_FRAMES + 1)]
    inode = proxy.stat().st_ino
    again: list[tuple[int, int]] = []
    assert prepare_proxy(path, tmp_path, progress=lambda d, t: again.append((d, t))) == proxy
    assert again == [] and proxy.stat().st_ino == inode  # reused, not made again
    assert find_proxy(path, tmp_path) == proxy
    assert sorted(p.name for p in tmp_path.iterdir()) == [proxy.name]


@pytest.mark.parametrize("how", ["event", "callable"])
def test_cancel_leaves_nothing_behind(long_gop, tmp_path: Path, how: str):
    path, _ = long_gop
    stop = threading.Event()
    seen: list[int] = []

    def progress(done: int, total: int) -> None:
        seen.append(done)
        if done == 50:
            stop.set()

    with pytest.raises(ProxyCancelled):
        prepare_proxy(path, tmp_path, progress, stop if how == "event" else stop.is_set)
    assert seen[-1] == 50  # stopped at the next frame
    assert list(tmp_path.iterdir()) == [] and find_proxy(path, tmp_path) is None
    assert prepare_proxy(path, tmp_path) is not None  # and can simply be run again


def test_replaced_source_never_serves_the_old_proxy(long_gop, tmp_path: Path):
    path, _ = long_gop
    source = tmp_path / "video.mp4"
    shutil.copy(path, source)
    cache = tmp_path / "cache"
    old = prepare_proxy(source, cache)
    stat = source.stat()
    replacement = marked_x264(tmp_path / "other.mp4", N_FRAMES, SIZE, variant=2, preset="veryfast")
    os.replace(replacement, source)
    os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # even with the old modification time
    new_reference = reference_frames(source)
    with VideoReader(source, cache_bytes=0, proxy_dir=cache) as reader:
        assert reader.decoder == "ffmpeg"  # the old proxy is not this file's
        for index in (10, 260, 3):
            frame = reader.read(index)
            assert np.array_equal(frame, new_reference[index]) and read_marker(frame) == index
    new = prepare_proxy(source, cache)
    assert new != old and new.exists() and not old.exists()  # the stale proxy is deleted
    with VideoReader(source, cache_bytes=0, proxy_dir=cache) as reader:
        assert reader.decoder == "proxy"
        assert all(np.array_equal(reader.read(i), new_reference[i]) for i in (10, 260, 3))


def _copy_of_proxy(prepared, tmp_path: Path) -> tuple[Path, Path]:
    source, proxy = prepared
    cache = tmp_path / "cache"
    cache.mkdir()
    shutil.copy(proxy, cache / proxy.name)
    return source, cache / proxy.name


@pytest.mark.parametrize("damage", ["truncated", "garbage", "index"])
def test_damaged_proxy_is_made_again(prepared, tmp_path: Path, damage: str):
    source, proxy = _copy_of_proxy(prepared, tmp_path)
    data = proxy.read_bytes()
    if damage == "truncated":  # a copy cut short
        proxy.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        proxy.write_bytes(np.random.default_rng(0).integers(0, 256, 5000, dtype=np.uint8).tobytes())
    else:  # one flipped byte in the index
        proxy.write_bytes(data[:-40] + bytes([data[-40] ^ 0xFF]) + data[-39:])
    with pytest.raises(ProxyError):
        ProxyFile(proxy)
    with VideoReader(source, cache_bytes=0, proxy_dir=proxy.parent) as reader:
        assert reader.decoder == "ffmpeg"
        assert read_marker(reader.read(123)) == 123
    remade = prepare_proxy(source, proxy.parent)
    assert remade == proxy and proxy.stat().st_size == len(data)
    with ProxyFile(remade, SourceIdentity.of(source)) as fresh:
        fresh.verify()


def test_damaged_frame_is_read_from_the_source_and_the_proxy_dropped(long_gop, prepared, tmp_path: Path):
    path, reference = long_gop
    source, proxy = _copy_of_proxy(prepared, tmp_path)
    with ProxyFile(proxy) as intact:
        offset, size, _ = intact._index[150]
    data = bytearray(proxy.read_bytes())
    data[offset + size // 2] ^= 0x55
    proxy.write_bytes(bytes(data))
    with ProxyFile(proxy) as damaged:
        with pytest.raises(ProxyError, match="checksum") as info:
            damaged.read_rgb(150)
        assert info.value.frame == 150
    with VideoReader(source, cache_bytes=0, proxy_dir=proxy.parent) as reader:
        assert reader.decoder == "proxy"
        _exact(reader, reference, 149)
        _exact(reader, reference, 150)  # the source serves it; the proxy is dropped and deleted
        assert reader.decoder == "ffmpeg" and not proxy.exists()
        _exact(reader, reference, 151)
    assert prepare_proxy(source, proxy.parent) == proxy


@pytest.mark.parametrize("kind", ["bt709", "full-range"])
def test_colour_tags_convert_like_opencv(tmp_path: Path, kind: str):
    options = {"x264_params": "colormatrix=bt709:colorprim=bt709:transfer=bt709"} if kind == "bt709" else {
        "pix_fmt": "yuvj420p", "x264_params": "fullrange=on"}
    path = marked_x264(tmp_path / f"{kind}.mp4", 40, SIZE, preset="veryfast", **options)
    reference = reference_frames(path)
    proxy = prepare_proxy(path, tmp_path / "cache")
    with ProxyFile(proxy) as pf:
        for index in range(40):
            assert np.array_equal(pf.read_rgb(index), reference[index]), f"{kind}: frame {index}"


def test_short_gop_videos_need_no_proxy(tmp_path: Path):
    mp4v = write_test_video(tmp_path / "mp4v.mp4", 60, SIZE, fourcc="mp4v")  # keyframe every 12
    mjpg = write_test_video(tmp_path / "mjpg.avi", 60, SIZE, fourcc="MJPG")  # every frame a keyframe
    for path in (mp4v, mjpg):
        assert not needs_proxy(path)
        assert prepare_proxy(path, tmp_path / "cache") is None
    assert not (tmp_path / "cache").exists() or list((tmp_path / "cache").iterdir()) == []


def test_concurrent_reads_through_the_proxy_stay_exact(long_gop, prepared):
    path, reference = long_gop
    source, proxy = prepared
    errors: list[str] = []
    with VideoReader(source, cache_bytes=3 * SIZE[0] * SIZE[1] * 3, proxy_dir=proxy.parent) as reader:

        def worker(seed: int) -> None:
            for index in random.Random(seed).sample(range(N_FRAMES), 60):
                if not np.array_equal(reader.read(index), reference[index]):
                    errors.append(f"frame {index}")

        reader.prefetch(100, 50)
        threads = [threading.Thread(target=worker, args=(seed,)) for seed in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        reader.wait_prefetch(timeout=30)
    assert errors == []


def test_prune_keeps_the_most_recently_used_proxies(prepared, tmp_path: Path):
    source, proxy = prepared
    size = proxy.stat().st_size
    copies = []
    for age, name in enumerate(["c", "b", "a"]):  # a is the oldest
        copy = tmp_path / f"{name}{proxy.suffix}"
        shutil.copy(proxy, copy)
        os.utime(copy, ns=(10**18, 10**18 - age * 10**9))
        copies.append(copy)
    real = tmp_path / proxy.name
    shutil.copy(proxy, real)
    os.utime(real, ns=(10**17, 10**17))  # oldest of all, until a reader opens it
    (tmp_path / "notes.txt").write_text("not a proxy")
    with VideoReader(source, proxy_dir=tmp_path) as reader:
        assert reader.decoder == "proxy"  # opening it marks it as used now
    assert prune_proxies(tmp_path, 2 * size + 1) == [copies[2], copies[1]]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["c.pxproxy", proxy.name, "notes.txt"])
    assert prune_proxies(tmp_path, 0) == [copies[0], real]


def test_pixel_format_without_lossless_proxy_is_refused(tmp_path: Path):
    path = marked_x264(tmp_path / "ten_bit.mp4", 40, SIZE, pix_fmt="yuv420p10le", preset="veryfast")
    with pytest.raises(ProxyError, match="yuv420p10le") as info:
        prepare_proxy(path, tmp_path / "cache")
    assert info.value.path == path
    assert list((tmp_path / "cache").iterdir()) == []
    with VideoReader(path, cache_bytes=0, proxy_dir=tmp_path / "cache") as reader:  # the source still reads
        assert [read_marker(reader.read(i)) for i in (30, 2)] == [30, 2] and reader.decoder == "ffmpeg"


def test_proxy_that_would_differ_from_the_source_is_not_kept(long_gop, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch):
    import painxai_gui.video.proxy as proxy_module

    real = proxy_module.to_rgb

    def off_by_one(frame, colorspace, color_range):  # a colour conversion that differs from OpenCV's
        rgb = real(frame, colorspace, color_range)
        rgb[5, 5, 0] ^= 1
        return rgb

    monkeypatch.setattr(proxy_module, "to_rgb", off_by_one)
    with pytest.raises(ProxyError, match="differs") as info:
        prepare_proxy(long_gop[0], tmp_path)
    assert info.value.frame == 0 and list(tmp_path.iterdir()) == []


def test_unwritable_cache_folder_is_a_proxy_error(long_gop, tmp_path: Path):
    not_a_folder = tmp_path / "cache"
    not_a_folder.write_text("a file where the cache folder should be")
    with pytest.raises(ProxyError, match="cannot write the proxy") as info:
        prepare_proxy(long_gop[0], not_a_folder)
    assert str(not_a_folder) in str(info.value)


def test_raw_stream_without_timestamps_gets_an_exact_proxy(tmp_path: Path):
    path = marked_x264(tmp_path / "raw.h264", 80, SIZE, preset="veryfast")
    reference = reference_frames(path)
    assert len(reference) == 80
    proxy = prepare_proxy(path, tmp_path / "cache")
    with VideoReader(path, cache_bytes=0, proxy_dir=tmp_path / "cache") as reader:
        assert reader.seek_mode == SEQUENTIAL and reader.decoder == "proxy" and reader.proxy_path == proxy
        for index in (70, 3, 79, 0, 41, 40):
            _exact(reader, reference, index)
        assert reader.stats().rewinds == 0  # no reopen-and-decode-forward for backward jumps
