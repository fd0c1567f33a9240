"""Note and task bodies: plain text or Clio rich text (only the tags Clio keeps), sometimes very long."""
from __future__ import annotations

from firmgen.draw import Draw
from firmgen.people import Pools

LONG_PARAGRAPHS = 60


def rich_text(pools: Pools, draw: Draw, paragraphs: int) -> str:
    parts = [f"<p><strong>{draw.pick(pools.words).title()}</strong> {draw.pick(pools.paragraphs)}</p>"]
    for _ in range(paragraphs - 1):
        parts.append(f"<p>{draw.pick(pools.paragraphs)}<br><em>{draw.pick(pools.sentences)}</em></p>")
    items = "".join(f"<li>{draw.pick(pools.sentences)}</li>" for _ in range(1 + draw.below(3)))
    parts.append(f"<ul>{items}</ul>" if draw.chance(0.5) else f"<ol>{items}</ol>")
    parts.append(
        f'<div><b>See</b> <a href="https://example.com/{draw.hex(6)}">file</a>, <i>{draw.pick(pools.words)}</i>, '
        f"<u>{draw.pick(pools.words)}</u>, <s>{draw.pick(pools.words)}</s></div>"
    )
    return "".join(parts)


def body(pools: Pools, draw: Draw, rich: bool, long: bool) -> str:
    paragraphs = LONG_PARAGRAPHS if long else 1 + draw.below(3)
    return rich_text(pools, draw, paragraphs) if rich else pools.paragraphs_text(draw, paragraphs)
