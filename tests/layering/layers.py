"""The layers as the build defines them: build/layers.txt, which cmake/DiskimgLayers.cmake
writes from the CMake targets ("NAME: USES..."), bottom first."""


def read_layers(build):
    """{layer: [the layers it links]}, in definition order (bottom first)."""
    layers = {}
    for line in (build / "layers.txt").read_text().splitlines():
        name, _, uses = line.partition(":")
        layers[name.strip()] = uses.split()
    return layers


def below(layers, name):
    """Every layer below `name` (those it links, and theirs), bottom first."""
    seen, stack = set(), list(layers[name])
    while stack:
        lower = stack.pop()
        if lower not in seen:
            seen.add(lower)
            stack.extend(layers[lower])
    return [layer for layer in layers if layer in seen]
