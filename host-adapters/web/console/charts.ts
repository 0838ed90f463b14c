// Daily series as uPlot charts. uPlot draws into a container it owns; the container is created once
// per chart and re-filled when the data change, so lit never renders inside it.
import uPlot from 'uplot';

export interface Series {
  label: string;
  values: number[];
  color: string;
}

export class DailyChart {
  readonly element = document.createElement('div');
  private plot: uPlot | null = null;

  constructor(private readonly title: string) {
    this.element.className = 'chart';
  }

  show(dates: string[], series: Series[]): void {
    this.plot?.destroy();
    const seconds = dates.map((date) => Date.parse(`${date}T00:00:00Z`) / 1000);
    const width = Math.max(280, Math.min(this.element.clientWidth || 560, 720));
    this.plot = new uPlot(
      {
        title: this.title,
        width,
        height: 220,
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
        axes: [{}, { values: (_u, ticks) => ticks.map((tick) => (Number.isInteger(tick) ? String(tick) : '')) }],
        series: [
          {},
          ...series.map((one) => ({
            label: one.label,
            stroke: one.color,
            width: 2,
            fill: one.color + '22',
            points: { show: dates.length <= 31 },
          })),
        ],
      },
      [seconds, ...series.map((one) => one.values)],
      this.element,
    );
  }
}
