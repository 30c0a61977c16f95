"""Where `cargo build --release` puts the palabre binary.

.cargo/config.toml makes every build name the host's target (for the static
link), so Cargo writes to target/<host tuple>/release/, not target/release/.
"""

import os
import subprocess

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def release_binary():
    """target/<host tuple>/release/palabre, the host's tuple per `rustc -vV`."""
    out = subprocess.run(["rustc", "-vV"], capture_output=True, text=True, check=True).stdout
    host = next(line.split(":", 1)[1].strip() for line in out.splitlines() if line.startswith("host:"))
    return os.path.join(REPO, "target", host, "release", "palabre")
