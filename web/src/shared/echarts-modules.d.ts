// ECharts 4.9 ships no type declarations; these cover the parts the dashboard imports (only those
// parts are bundled: the core, the line chart and three components).
declare module 'echarts/lib/echarts' {
  export interface ECharts {
    setOption(option: object, notMerge?: boolean): void;
    resize(): void;
    dispose(): void;
  }
  export function init(element: HTMLElement, theme?: string | object | null, options?: object): ECharts;
}
declare module 'echarts/lib/chart/line';
declare module 'echarts/lib/component/tooltip';
declare module 'echarts/lib/component/grid';
declare module 'echarts/lib/component/markArea';
declare module 'echarts/lib/component/markLine';
