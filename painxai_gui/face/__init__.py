"""Face pipeline: dlib HOG detection, 68 landmarks, square 256x256 crops, per-video landmark cache, regions."""

from painxai_gui.face.cropper import NO_FACE, FaceCropper, FaceResult
from painxai_gui.face.track import FaceTrack

__all__ = ["NO_FACE", "FaceCropper", "FaceResult", "FaceTrack"]
