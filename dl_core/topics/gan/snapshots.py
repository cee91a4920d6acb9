"""What the 2-D GAN looks like at one moment: fakes, D's opinion of the plane, G's mapping of z.

A snapshot holds plain arrays (saved as artifacts so the page's slider scrubs them after
training), and `render` draws one as a small RGB picture with PIL: the live preview that the
worker sends while training, where Plotly figures cannot travel.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from dl_core.data.toy2d import EXTENT

GRID = 48  # D is evaluated on GRID×GRID points of the square
MESH = 15  # G maps a MESH×MESH grid of z
MESH_REACH = 2.0  # the z grid spans [-2, 2] (±2σ of the noise) in its first two coordinates
SHOWN = 500  # real and fake points drawn per snapshot
CANVAS = 320

FAKE_RGB = np.array([112, 72, 232], np.float32)  # purple: the generator's colour
REAL_RGB = np.array([47, 158, 68], np.float32)  # green: the data's colour
WHITE = np.array([255, 255, 255], np.float32)


def grid_axis() -> np.ndarray:
    return np.linspace(-EXTENT, EXTENT, GRID, dtype=np.float32)


def grid_points() -> np.ndarray:
    axis = grid_axis()
    xx, yy = np.meshgrid(axis, axis)  # row i = y value i, as a heatmap expects
    return np.stack([xx.ravel(), yy.ravel()], axis=1)


def z_mesh(noise_dim: int) -> np.ndarray:
    """MESH×MESH×noise_dim noise vectors: a square grid in (z₁, z₂), other coordinates 0.

    With one noise number the 'mesh' is a single line of MESH points (shape 1×MESH×1).
    """
    ticks = np.linspace(-MESH_REACH, MESH_REACH, MESH, dtype=np.float32)
    if noise_dim == 1:
        return ticks.reshape(1, MESH, 1)
    mesh = np.zeros((MESH, MESH, noise_dim), np.float32)
    mesh[..., 0], mesh[..., 1] = np.meshgrid(ticks, ticks)
    return mesh


def take_snapshot(generate, judge, fixed_noise: np.ndarray, noise_dim: int) -> dict[str, np.ndarray]:
    """`generate`: z -> points; `judge`: points -> D's probability of real (both numpy in/out)."""
    mesh_z = z_mesh(noise_dim)
    mesh = generate(mesh_z.reshape(-1, noise_dim)).reshape(mesh_z.shape[:2] + (2,))
    heat = judge(grid_points()).reshape(GRID, GRID)
    return {"fake": generate(fixed_noise).astype(np.float32), "heat": heat.astype(np.float32),
            "mesh": mesh.astype(np.float32)}


def stack_snapshots(snapshots: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """[{fake, heat, mesh}, ...] -> {snap_fake: S×N×2, snap_heat: S×G×G, snap_mesh: S×M×M×2}."""
    return {f"snap_{name}": np.stack([s[name] for s in snapshots]) for name in ("fake", "heat", "mesh")}


def heat_colours(heat: np.ndarray) -> np.ndarray:
    """D's probability -> RGB: purple where D says 'fake', white at ½, green where it says 'real'."""
    p = np.clip(heat, 0.0, 1.0)[..., None]
    towards = np.where(p < 0.5, FAKE_RGB, REAL_RGB)
    weight = np.abs(p - 0.5) * 2 * 0.55  # pale: the points must stay visible on top
    return (WHITE * (1 - weight) + towards * weight).astype(np.uint8)


def to_pixels(points: np.ndarray) -> np.ndarray:
    scale = CANVAS / (2 * EXTENT)
    x = (points[..., 0] + EXTENT) * scale
    y = (EXTENT - points[..., 1]) * scale  # y grows upwards in the plane, downwards in images
    return np.stack([x, y], axis=-1)


def render(snapshot: dict[str, np.ndarray], real: np.ndarray) -> np.ndarray:
    """One CANVAS×CANVAS×3 uint8 picture: heatmap, G's z-mesh, real (green) and fake (purple) dots."""
    heat = np.flipud(heat_colours(snapshot["heat"]))  # row 0 of the grid is the bottom of the plane
    image = Image.fromarray(heat).resize((CANVAS, CANVAS), Image.BILINEAR)
    draw = ImageDraw.Draw(image)
    mesh = to_pixels(snapshot["mesh"])
    for line in list(mesh) + list(mesh.transpose(1, 0, 2)):
        if len(line) > 1:
            draw.line([tuple(p) for p in line], fill=(150, 150, 150), width=1)
    for points, colour in ((real, REAL_RGB), (snapshot["fake"], FAKE_RGB)):
        for x, y in to_pixels(points):
            draw.ellipse((x - 1.5, y - 1.5, x + 1.5, y + 1.5), fill=tuple(int(c) for c in colour))
    return np.asarray(image, np.uint8)
