// Boxes drawn over a page, placed from page space with the page's zoom, with a label and a colour per label.
// Page space is the one convention, so placing a box is one multiplication.
import type { LabelledBox } from '../../shared/geometry.js';

export const BOX_COLOURS = [
  '#f5a300',
  '#2f6fed',
  '#d6336c',
  '#12b886',
  '#7950f2',
  '#e8590c',
  '#1098ad',
  '#5c940d',
];

/** One colour per distinct label, in order of first appearance. */
export function colourFor(label: string, labels: readonly string[]): string {
  return BOX_COLOURS[Math.max(0, labels.indexOf(label)) % BOX_COLOURS.length] ?? '#f5a300';
}

export function labelsOf(boxes: readonly LabelledBox[]): string[] {
  return [...new Set(boxes.map((b) => b.label))];
}

export function Highlights({
  all,
  onPage,
  scale,
  flash,
  showLabels,
}: {
  all: readonly LabelledBox[];
  /** Labels name found objects; an answer's boxes are named by the answer itself, so they go without. */
  showLabels: boolean;
  onPage: ReadonlyArray<{ b: LabelledBox; index: number }>;
  scale: number;
  flash: number | null;
}) {
  const labels = labelsOf(all);
  return (
    <div className="highlights" aria-hidden="true">
      {onPage.map(({ b, index }) => {
        const colour = colourFor(b.label, labels);
        return (
          <div
            key={index}
            className={`hl${flash === index ? ' flash' : ''}`}
            data-testid="highlight"
            data-label={b.label}
            style={{
              left: b.x0 * scale - 2,
              top: b.y0 * scale - 2,
              width: (b.x1 - b.x0) * scale + 4,
              height: (b.y1 - b.y0) * scale + 4,
              borderColor: colour,
              backgroundColor: `${colour}40`,
            }}
          >
            {showLabels && b.label && (
              <span className="hl-label" style={{ backgroundColor: colour }}>
                {b.label}
              </span>
            )}
          </div>
        );
      })}
    </div>
  );
}
