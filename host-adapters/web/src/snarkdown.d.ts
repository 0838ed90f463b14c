declare module 'snarkdown' {
  export default function snarkdown(markdown: string, links?: Record<string, string>): string;
}
