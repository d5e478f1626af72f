/** ListPicker: a titled list of up to six options, each of which may have a picture and a subtitle. */
import { pickerTemplate } from "./parts.js";

export default pickerTemplate("ListPicker");
