import { useEffect, useRef, useState } from "react";
import { useI18n } from "../../app/i18n/i18n";
import { Panel } from "../components";

/** The part of the BarcodeDetector API the till uses (Chromium on Android, macOS, ChromeOS). */
interface Detector {
  detect(source: HTMLVideoElement): Promise<{ rawValue: string }[]>;
}
type DetectorClass = new (options?: { formats?: string[] }) => Detector;

/**
 * Scanning with the camera, offered only where the browser has `BarcodeDetector`: the back camera's
 * picture, read a few times a second until a code is found.
 */
export function Camera({ onCode, onCancel }: { onCode(code: string): void; onCancel(): void }) {
  const { t } = useI18n();
  const video = useRef<HTMLVideoElement>(null);
  const [failed, setFailed] = useState(false);
  const found = useRef(onCode);
  useEffect(() => {
    found.current = onCode;
  }, [onCode]);
  useEffect(() => {
    let stream: MediaStream | null = null;
    let timer: ReturnType<typeof setInterval> | undefined;
    let stopped = false;
    const Barcode = (window as unknown as { BarcodeDetector: DetectorClass }).BarcodeDetector;
    void (async () => {
      try {
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
        if (stopped || !video.current) return;
        video.current.srcObject = stream;
        await video.current.play();
        const detector = new Barcode({ formats: ["ean_13", "ean_8", "upc_a", "code_128"] });
        timer = setInterval(() => {
          if (!video.current) return;
          void detector.detect(video.current).then((codes) => {
            const value = codes[0]?.rawValue;
            if (value && !stopped) {
              stopped = true;
              found.current(value);
            }
          });
        }, 300);
      } catch {
        setFailed(true);
      }
    })();
    return () => {
      stopped = true;
      if (timer) clearInterval(timer);
      stream?.getTracks().forEach((track) => track.stop());
    };
  }, []);
  return (
    <Panel title={t("pos.camera.title")}>
      {failed ? (
        <p className="alert alert-error" role="alert">
          {t("pos.camera.failed")}
        </p>
      ) : (
        <video ref={video} className="pos-camera" muted playsInline aria-label={t("pos.camera.title")} />
      )}
      <button type="button" className="button button-secondary" onClick={onCancel}>
        {t("pos.cancel")}
      </button>
    </Panel>
  );
}
