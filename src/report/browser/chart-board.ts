import type UPlot from 'uplot';

/** The narrowest a chart is drawn, whatever its card's width. */
const MIN_WIDTH_PX = 200;

interface DrawnChart {
  readonly plot: UPlot;
  readonly element: HTMLElement;
  readonly heightPx: number;
}

/** The page's charts: each drawn into its element at the element's width, and redrawn when that width changes. */
export class ChartBoard {
  readonly uplot: typeof UPlot;
  readonly #charts: DrawnChart[] = [];
  #observer: ResizeObserver | undefined;

  constructor(uplot: typeof UPlot) {
    this.uplot = uplot;
  }

  get count(): number {
    return this.#charts.length;
  }

  /**
   * Draws a chart into the element `id` (nothing when the page has no such element), its x points in
   * `data-points`. Drawn again (the live dashboard, every second), the new chart replaces the old one and keeps
   * its cursor, so that a legend being read stays put.
   */
  draw(id: string, heightPx: number, options: Omit<UPlot.Options, 'width' | 'height'>, data: UPlot.AlignedData): void {
    const element = document.getElementById(id);
    if (element === null) return;
    const index = this.#charts.findIndex((chart) => chart.element === element);
    const previous = index === -1 ? undefined : this.#charts.splice(index, 1)[0]?.plot;
    const cursor = previous === undefined ? undefined : { left: previous.cursor.left ?? -1, top: previous.cursor.top ?? -1 };
    previous?.destroy();
    const plot = new this.uplot({ ...options, width: Math.max(element.clientWidth, MIN_WIDTH_PX), height: heightPx }, data, element);
    if (cursor !== undefined && cursor.left >= 0 && cursor.top >= 0) plot.setCursor(cursor);
    element.setAttribute('data-points', String(data[0]?.length ?? 0));
    this.#charts.push({ plot, element, heightPx });
    this.#observer?.observe(element);
  }

  /** Keeps every chart at its element's width: one redraw per animation frame at most while the page resizes. */
  followWidths(): void {
    if (typeof ResizeObserver !== 'function') {
      window.addEventListener('resize', () => this.#fitWidths());
      return;
    }
    let pending = false;
    const observer = new ResizeObserver(() => {
      if (pending) return;
      pending = true;
      window.requestAnimationFrame(() => {
        pending = false;
        this.#fitWidths();
      });
    });
    for (const chart of this.#charts) observer.observe(chart.element);
    this.#observer = observer;
  }

  #fitWidths(): void {
    for (const chart of this.#charts) {
      const width = Math.max(chart.element.clientWidth, MIN_WIDTH_PX);
      if (Math.abs(width - chart.plot.width) > 1) chart.plot.setSize({ width, height: chart.heightPx });
    }
  }
}
